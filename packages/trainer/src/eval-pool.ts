import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from './threads.js';
import { EvalRunner, type EvalContext, type EvalJob, type EvalJobResult } from './eval-jobs.js';

/**
 * Runs evaluation jobs (eval-jobs.ts) on worker threads, so a training run uses every core: the
 * baselines are measured while the model trains, and the model's own evaluations side by side once
 * it is trained. Each worker holds its own copy of the split and its own tfjs wasm backend (which is
 * single-threaded in Node). Results are identical to running the jobs in the calling thread
 * (`workers: 0`), which is also what happens if worker threads cannot start.
 */
export interface EvalPoolOptions {
  /** Worker threads; 0 runs every job in the calling thread. Default: the machine's cores (at most 4). */
  workers?: number;
  /** Reports a worker that could not start or died (its jobs then run in the calling thread). */
  onWarning?: (message: string) => void;
}

/** Default number of evaluation workers: one per core, at most 4 (the jobs of a run are few). */
function defaultEvalWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

interface Pending {
  job: EvalJob;
  resolve: (r: EvalJobResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy?: Pending & { id: number };
}

export class EvalPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private local?: EvalRunner;
  private localChain: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private limit: number;
  private closed = false;
  private paused = false;

  constructor(
    private readonly ctx: EvalContext,
    private readonly o: EvalPoolOptions = {},
  ) {
    const n = o.workers ?? defaultEvalWorkers();
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`EvalPool: workers must be an integer ≥ 0; got ${String(n)}`);
    this.limit = n;
    if (n === 0) return;
    for (let i = 0; i < n; i++) this.start();
  }

  /** Workers that run jobs at once from now on (at least 1; e.g. fewer while the calling thread trains). */
  setLimit(n: number): void {
    this.limit = Math.max(1, Math.min(n, this.slots.length || 1));
    this.pump();
  }

  /** Holds queued jobs until {@link resume} (e.g. while training takes every core). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  get workers(): number {
    return this.slots.length;
  }

  /** Runs one job; resolves with its result (rejects with the job's own error). */
  run(job: EvalJob): Promise<EvalJobResult> {
    if (this.closed) return Promise.reject(new Error('EvalPool: run() after close()'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  /** Stops the workers (pending jobs are rejected). */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('EvalPool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private start(): void {
    const worker = startWorker('eval-worker', this.ctx);
    const slot: Slot = { worker };
    worker.unref();
    worker.on('message', (m: { id: number; result?: EvalJobResult; error?: string }) => {
      const p = slot.busy;
      if (!p || p.id !== m.id) return;
      slot.busy = undefined;
      if (m.error !== undefined) p.reject(new Error(`evaluation job (${p.job.kind}) failed in a worker thread: ${m.error}`));
      else p.resolve(m.result!);
      this.pump();
    });
    const lost = (why: string) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      if (this.closed) return;
      this.o.onWarning?.(`evaluation worker ${why}; its jobs run in this thread`);
      if (slot.busy) this.queue.unshift(slot.busy);
      slot.busy = undefined;
      this.pump();
    };
    worker.on('error', (e) => lost(`failed (${e.message})`));
    worker.on('exit', (code) => lost(`exited (code ${code})`));
    this.slots.push(slot);
  }

  private pump(): void {
    while (this.queue.length && !this.paused) {
      if (!this.slots.length) {
        this.runLocally(this.queue.shift()!);
        continue;
      }
      const active = this.slots.filter((s) => s.busy).length;
      const idle = this.slots.find((s) => !s.busy);
      if (!idle || active >= this.limit) return;
      const p = this.queue.shift()!;
      const id = this.nextId++;
      idle.busy = { ...p, id };
      idle.worker.ref();
      idle.worker.postMessage({ id, job: p.job });
    }
    for (const s of this.slots) if (!s.busy) s.worker.unref();
  }

  private runLocally(p: Pending): void {
    const runner = (this.local ??= new EvalRunner(this.ctx));
    this.localChain = this.localChain.then(() => runner.run(p.job).then(p.resolve, p.reject));
  }
}
