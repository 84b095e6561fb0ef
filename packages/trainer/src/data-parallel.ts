import type { Worker } from 'node:worker_threads';
import type { SasrecArchitecture } from '@localrec/model';
import type { NegativeSample } from './softmax-head.js';
import type { Split } from './split.js';
import { startWorker } from './threads.js';
import type { TrainOptions } from './train.js';

/**
 * Data-parallel training on a second thread: for every batch the peer computes the softmax-head
 * gradient of half the users (train.ts `headGradients`, the same code as the calling thread's half)
 * on its own tfjs wasm backend, reading the item table from shared memory and adding its table
 * gradient to a shared buffer; the calling thread sums both halves and takes the one Adam step.
 * The encoder's current weights travel with every batch (a few tens of KB); the item table never does.
 */
export interface PeerInit {
  arch: SasrecArchitecture;
  split: Split;
  /** The item table, on a SharedArrayBuffer (read by the peer, written only by the caller, between batches). */
  table: Float32Array;
  o: Pick<TrainOptions, 'dropout' | 'l2Emb'>;
  /** Sampled softmax: every row's log expected count (the positives' logQ correction). */
  logQAll?: Float32Array;
}

/** Messages to the peer. */
export type PeerRequest = {
  id: number;
  users: number[];
  count: number;
  sample?: { rows: Int32Array; logQ: Float32Array };
  seed: number;
  /** The encoder variables' current values, in the model's variable order. */
  vars: Float32Array[];
};

/** Messages from the peer: `ready` once, then one answer per request. */
export type PeerReply =
  | { ready: true; error?: undefined }
  | { ready: true; error: string }
  | { id: number; loss: number; grads: Float32Array[]; error?: undefined }
  | { id: number; error: string };

export class GradientPeer {
  /** The peer's item-table gradient of the last batch ([(itemCount + 1), d], shared memory). */
  readonly grad: Float32Array;
  private nextId = 1;
  private waiting?: { id: number; resolve: (r: { loss: number; grads: Float32Array[] }) => void; reject: (e: Error) => void };
  private failure?: Error;

  private constructor(
    private readonly worker: Worker,
    grad: Float32Array,
  ) {
    this.grad = grad;
  }

  /** Starts the peer thread and waits until its backend is ready. */
  static async start(init: PeerInit): Promise<GradientPeer> {
    if (!(init.table.buffer instanceof SharedArrayBuffer))
      throw new TypeError('GradientPeer: the item table must live on a SharedArrayBuffer (the peer reads it in place)');
    const grad = new Float32Array(new SharedArrayBuffer(init.table.length * 4));
    const worker = startWorker('train-worker', { ...init, grad });
    const peer = new GradientPeer(worker, grad);
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => reject(new Error(`the data-parallel training thread did not start: ${e.message}`));
      worker.once('error', fail);
      worker.once('message', (m: PeerReply) => {
        worker.off('error', fail);
        if (m.error !== undefined) fail(new Error(m.error));
        else resolve();
      });
    });
    worker.on('message', (m: PeerReply) => peer.answer(m));
    worker.on('error', (e) => peer.fail(e));
    worker.on('exit', (code) => peer.fail(new Error(`the data-parallel training thread exited (code ${code})`)));
    return peer;
  }

  /** The gradient of `users`' share of a batch; the table part is in {@link grad} when it resolves. */
  compute(users: number[], count: number, sample: NegativeSample | undefined, seed: number, vars: Float32Array[]) {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new Error('GradientPeer: one batch at a time'));
    const id = this.nextId++;
    const req: PeerRequest = { id, users, count, seed, vars, ...(sample ? { sample: { rows: sample.rows, logQ: sample.logQ } } : {}) };
    return new Promise<{ loss: number; grads: Float32Array[] }>((resolve, reject) => {
      this.waiting = { id, resolve, reject };
      this.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('GradientPeer closed');
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private answer(m: PeerReply): void {
    const w = this.waiting;
    if (!w || !('id' in m) || m.id !== w.id) return;
    this.waiting = undefined;
    if (m.error !== undefined) w.reject(new Error(`data-parallel training thread: ${m.error}`));
    else w.resolve({ loss: m.loss, grads: m.grads });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }
}
