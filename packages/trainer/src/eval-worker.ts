// A worker thread of the evaluation pool (eval-pool.ts): one tfjs wasm backend, one EvalRunner over
// the split it is started with; runs one job per message and answers with its result or its error.
import { parentPort, workerData } from 'node:worker_threads';
import { useBackend } from './backend.js';
import { EvalRunner, type EvalContext, type EvalJob } from './eval-jobs.js';

const port = parentPort;
if (!port) throw new Error('eval-worker.js runs only as a worker thread (eval-pool.ts starts it)');
const ready = useBackend('wasm');
const runner = new EvalRunner(workerData as EvalContext);
port.on('message', (m: { id: number; job: EvalJob }) => {
  ready
    .then(() => runner.run(m.job))
    .then(
      (result) => port.postMessage({ id: m.id, result }),
      (e: unknown) => port.postMessage({ id: m.id, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) }),
    );
});
