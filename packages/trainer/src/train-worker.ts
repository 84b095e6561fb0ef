// The data-parallel training thread (data-parallel.ts): its own tfjs wasm backend and encoder
// variables, the caller's item table in shared memory; per request, the encoder takes the caller's
// current weights and the share's gradient is computed by the same `headGradients` as the caller's.
import * as tf from '@tensorflow/tfjs-core';
import { parentPort, workerData } from 'node:worker_threads';
import { SeededRandom } from '@localrec/core';
import { useBackend } from './backend.js';
import type { PeerInit, PeerReply, PeerRequest } from './data-parallel.js';
import { initModel } from './params.js';
import { headGradients } from './train.js';

const port = parentPort;
if (!port) throw new Error('train-worker.js runs only as a worker thread (data-parallel.ts starts it)');
const init = workerData as PeerInit & { grad: Float32Array };
const reply = (m: PeerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

useBackend('wasm').then(
  () => {
    const model = initModel(init.arch, init.split.itemCount, 0);
    model.itemTable = init.table;
    const vars = [...model.vars.values()];
    port.on('message', (m: PeerRequest) => {
      try {
        tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(m.vars[i]!, v.shape))));
        init.grad.fill(0);
        const sample = m.sample && init.logQAll ? { ...m.sample, logQAll: init.logQAll } : undefined;
        const { loss, grads } = headGradients(
          model,
          init.split,
          m.users,
          { o: init.o, count: m.count, rng: SeededRandom.fromInt(m.seed), ...(sample ? { sample } : {}) },
          init.grad,
        );
        const arrays = grads.map((g) => new Float32Array(g.dataSync() as Float32Array));
        tf.dispose(grads);
        reply(
          { id: m.id, loss, grads: arrays },
          arrays.map((a) => a.buffer),
        );
      } catch (e) {
        reply({ id: m.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      }
    });
    reply({ ready: true });
  },
  (e: unknown) => reply({ ready: true, error: e instanceof Error ? e.message : String(e) }),
);
