/**
 * The runtime's tfjs engine over its life: which backend starts (forced, the first that works, or
 * the calibrated fastest, cached per model version and device), the switch to the next backend
 * when a WebGPU device is lost, tfjs work serialised one at a time, and the idle-time
 * `prepareNext` of the encoder. The backend primitives themselves are in `backends.ts`.
 */
import { LocalRecError, type EventStore } from '@localrec/core';
import { sha256Hex } from '@localrec/model';
import { BACKENDS, type BackendName, type LoadProgress, type RuntimeOptions } from './api.js';
import {
  activateBackend,
  buildEngine,
  calibrate,
  deviceKey,
  firstWorking,
  UNTIMED_KERNEL,
  watchDeviceLoss,
  type BackendOptions,
  type Calibration,
  type Engine,
} from './backends.js';
import { Once, within } from './lazy.js';
import type { ModelData } from './model-data.js';
import type { ModelSource } from './model-source.js';
import { utf8Bytes } from './text.js';

/** A backend change during the session (`status().backendEvents`). */
export interface BackendEvent {
  /** `Date.now()` when it happened. */
  at: number;
  kind: 'device-lost';
  /** The backend that was lost. */
  backend: BackendName;
  /** The browser's message (`GPUDeviceLostInfo`). */
  reason: string;
  /** The backend now answering, once started. */
  fallback?: BackendName;
  /** Why no other backend could start (then answers come from the cold-start tables). */
  error?: string;
}

/** The store's meta key of the cached calibrations (model version | device → {@link Calibration}). */
const CALIBRATION_META = 'runtime:calibration';

/** What the engine host reads: the backend options, the model, the store (calibration cache), progress. */
export interface EngineHostInit {
  options: Pick<RuntimeOptions, 'forceBackend' | 'backends' | 'calibrate' | 'wasmPath' | 'softwareGpu'> & {
    readyTimeoutMs: number;
    retryDelayMs: number;
  };
  /** Default folder of the wasm files when `options.wasmPath` is not set. */
  wasmPath?: string | undefined;
  model: ModelSource;
  store: EventStore;
  progress(p: LoadProgress): void;
}

/** One per runtime: starts the engine (in the background from `init`), keeps it, switches it. */
export class EngineHost {
  private readonly engine: Once<Engine>;
  private readonly disabledBackends = new Set<BackendName>();
  /** Backend changes during this runtime's life (a lost WebGPU device), oldest first. */
  readonly backendEvents: BackendEvent[] = [];
  /** Set while the next engine starts after a lost device. */
  private switching?: Promise<void>;
  /** The calibration measured or cached for this model and device, once known. */
  calibration?: Calibration;
  /** tfjs work is serialised: one scoring at a time (a GPU cannot run two sessions at once). */
  private queue: Promise<unknown> = Promise.resolve();
  /** Bumped per scored history: a pending {@link prepareNext} for an older one is skipped. */
  private prepared = 0;
  private disposed = false;

  constructor(private readonly init: EngineHostInit) {
    this.engine = new Once<Engine>(
      () => this.start(),
      () => init.options.retryDelayMs,
    );
  }

  /** The warmed-up engine, once started. */
  get value(): Engine | undefined {
    return this.engine.value;
  }
  /** Why the last start failed, until one succeeds. */
  get lastError(): unknown {
    return this.engine.lastError;
  }
  /** The engine: the start in flight, the engine, or a new start. */
  get(): Promise<Engine> {
    return this.engine.get();
  }

  /** The warmed-up engine: waits up to `readyTimeoutMs` for the first one, at most `budget` for a switch after a lost device. */
  async ready(budget = Infinity): Promise<Engine | undefined> {
    const o = this.init.options;
    return this.engine.value ?? within(this.engine.get(), this.switching ? Math.min(budget, o.readyTimeoutMs) : o.readyTimeoutMs);
  }

  /** Runs tfjs work one at a time. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => {});
    return p;
  }

  /**
   * After scoring a history, once the answer is on its way (a task later): prepares the encoder
   * for this history plus one more item ({@link SasrecScorer.prepareNext}), so the answer after the
   * shopper's next action runs only the new slot through the encoder. Serialised with scoring;
   * skipped when a newer history was scored meanwhile or the engine changed.
   */
  prepareNext(engine: Engine, seq: Int32Array): void {
    const token = ++this.prepared;
    setTimeout(() => {
      if (token !== this.prepared || this.disposed || this.engine.value !== engine) return;
      void this.serial(async () => {
        if (token === this.prepared && !this.disposed) engine.scorer.prepareNext(seq);
      }).catch(() => undefined);
    }, 0);
  }

  /**
   * Stops: no more `prepareNext`, the model's cache refused at once; once the cache operations in
   * flight settled the engine and the model data are dropped, and the engine is disposed after the
   * tfjs work in flight.
   */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.init.model.close();
    const e = this.engine.value;
    this.engine.reset();
    this.init.model.forget();
    await this.queue;
    e?.dispose();
  }

  private async start(): Promise<Engine> {
    const o = this.init.options;
    const md = await this.init.model.get();
    const bo = { wasmPath: o.wasmPath ?? this.init.wasmPath, allowFallbackAdapter: o.softwareGpu === true };
    this.init.progress({ phase: 'backend', loadedBytes: 0, totalBytes: 0 });
    let engine: Engine;
    if (o.forceBackend && !this.disabledBackends.has(o.forceBackend)) {
      await activateBackend(o.forceBackend, { ...bo, allowFallbackAdapter: true });
      engine = await buildEngine(o.forceBackend, md, 1, UNTIMED_KERNEL);
    } else {
      const candidates = (o.backends ?? BACKENDS).filter((b) => !this.disabledBackends.has(b));
      // After a lost device: the next backend in order of the measured speed (the calibration,
      // when there is one), without calibrating again — the cached choice stays for the next visit.
      if (this.backendEvents.length) engine = await firstWorking(this.bySpeed(candidates), md, bo);
      else if (o.calibrate === false) engine = await firstWorking(candidates, md, bo);
      else engine = await this.calibrated(candidates, md, bo);
    }
    if (engine.backend === 'webgpu') watchDeviceLoss((why) => this.deviceLost(engine, why));
    this.init.progress({ phase: 'ready', loadedBytes: 0, totalBytes: 0, backend: engine.backend });
    return engine;
  }

  /**
   * The WebGPU device of `engine` was lost (driver reset, GPU removed, destroyed): WebGPU is off
   * for this runtime's life, the engine is dropped and the next backend starts at once (see
   * {@link start}). Work queued on the lost device is abandoned (calls waiting on it answer
   * from the fallback within their budget); calls meanwhile wait for the new engine at most their
   * budget, then answer from the cold-start tables. `status().backendEvents` records it.
   */
  private deviceLost(engine: Engine, why: string): void {
    if (this.engine.value !== engine) return;
    const ev: BackendEvent = { at: Date.now(), kind: 'device-lost', backend: engine.backend, reason: why };
    this.backendEvents.push(ev);
    this.disabledBackends.add('webgpu');
    this.engine.reset();
    this.engine.lastError = new LocalRecError('BACKEND_UNAVAILABLE', `WebGPU device lost (${why}); switching to the next backend`);
    this.queue = Promise.resolve();
    try {
      engine.dispose();
    } catch {
      /* the device is gone: its buffers are too */
    }
    this.switching = this.engine
      .get()
      .then(
        (e) => {
          ev.fallback = e.backend;
        },
        (e: unknown) => {
          ev.error = (e as Error)?.message ?? String(e);
        },
      )
      .finally(() => {
        this.switching = undefined;
      });
  }

  /** `candidates` with the calibration's measured ones first, fastest first (the others keep their order). */
  private bySpeed(candidates: readonly BackendName[]): BackendName[] {
    const t = this.calibration?.timings ?? {};
    const ms = (b: BackendName) => (typeof t[b] === 'number' ? t[b] : Infinity);
    return [...candidates].sort((a, b) => ms(a) - ms(b));
  }

  /** Uses the cached calibration for this model version and device, or measures and caches one. */
  private async calibrated(candidates: readonly BackendName[], md: ModelData, bo: BackendOptions): Promise<Engine> {
    const { store } = this.init;
    const key = `${md.version}|${await sha256Hex(utf8Bytes(await deviceKey()))}`;
    const cached = await store.getMeta<Record<string, Calibration>>(CALIBRATION_META).catch(() => undefined);
    const hit = cached?.[key];
    // A calibration without `paths` timed scorer.scores() (before the serving path and the int8 kernel were timed): measured again.
    if (hit?.paths && candidates.includes(hit.backend)) {
      try {
        await activateBackend(hit.backend, bo);
        this.calibration = hit;
        return await buildEngine(hit.backend, md, 1, hit.kernel ?? false);
      } catch {
        // The cached choice no longer starts: measure again.
      }
    }
    const { engine, calibration } = await calibrate(candidates, md, bo);
    this.calibration = calibration;
    // Cached only in storage the page has created and not erased: a calibration finished after
    // forgetMe() (or before the first event) must not re-create the shopper's storage.
    const exists = await store.residue().then(
      (r) => r.databases.length > 0,
      () => false,
    );
    if (exists) await store.setMeta(CALIBRATION_META, { ...(cached ?? {}), [key]: calibration }).catch(() => undefined);
    return engine;
  }
}
