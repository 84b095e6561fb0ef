/**
 * The Recorder: everything between `track()` and storage, with no DOM. Validation → rate limit →
 * consent gating → batched write-behind queue → store, with a memory fallback when the store fails.
 * Retention holds without writes and under every consent state: every read goes through
 * {@link withRetention} (nothing past `retentionDays` is returned, pruned yet or not), and expired
 * events (and those over the cap) are deleted when the store opens, after each flush and on a
 * timer. Front ends (browser SDK, mini-program SDK) add only triggers (timers, pagehide) on top.
 */
import { checkConsent, type Consent, type ResolvedConfig } from './config.js';
import { intervalTimers } from './env.js';
import { LocalRecError } from './errors.js';
import { asStorageError } from './storage-error.js';
import type { NewEvent, StoredEvent } from './events.js';
import { appendOverQuota, destroyStores, memoryFallback, openFallback, readResidue } from './cold.js';
import { TokenBucket } from './rate.js';
import { withRetention } from './retention.js';
import { SessionTracker, type SessionState } from './session.js';
import type { EventQuery, EventStore, StoreDump } from './store.js';
import { createUid } from './uid.js';
import { validateEvent } from './validate.js';

/** Meta key under which the current session is persisted between page loads. */
export const SESSION_META_KEY = 'session';

/** Default of {@link RecorderOptions.pruneIntervalMs}: one hour. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** Options of {@link Recorder}. */
export interface RecorderOptions {
  config: ResolvedConfig;
  /** The preferred store (e.g. IndexedDB). Opened lazily, on the first write or read. */
  store: EventStore;
  /** Receives storage failures, fallbacks and dropped events. Never called for invalid input (that throws). */
  onError?: (error: LocalRecError) => void;
  /** When true, `flush()` rejects with the storage error (after failing over). Default false. */
  strict?: boolean;
  /** Clock, ms since epoch. Default `Date.now`. */
  now?: () => number;
  /** Event/session id factory. Default {@link createUid}. */
  newId?: () => string;
  /** Store used when the preferred one fails (or a promise of it). Default a new {@link MemoryEventStore}. */
  fallback?: () => EventStore | Promise<EventStore>;
  /**
   * How often a long-lived page deletes what has passed retention, in ms, once the store is open
   * (reads never return it meanwhile). Default 1 hour; `0` turns the timer off. Stopped by
   * {@link Recorder.close}.
   */
  pruneIntervalMs?: number;
  /**
   * Starts the prune timer: calls `tick` every `everyMs` ms and returns what stops it. Default
   * `setInterval` (unref'd in Node). A seam for tests, which tick by hand.
   */
  timer?: (tick: () => void, everyMs: number) => () => void;
}

function intervalTimer(tick: () => void, everyMs: number): () => void {
  // Read when started, never at import; a context without timers simply has no prune timer.
  const g = intervalTimers();
  if (!g) return () => undefined;
  const t = g.setInterval(tick, everyMs);
  // A timer must not keep a Node process (tests, server-side use) alive.
  (t as { unref?: () => void }).unref?.();
  return () => g.clearInterval(t);
}

/** Where events go now and what is waiting. */
export interface RecorderStatus {
  /** `kind` of the store that receives writes now (`"indexeddb"`, `"memory"`, …). */
  storage: string;
  /** True after the preferred store failed and writes went to the fallback. */
  degraded: boolean;
  /** Why the preferred store was abandoned. */
  storageError?: string;
  /** Events accepted but not yet stored (waiting for a flush or for consent). */
  pending: number;
}

/** What {@link Recorder.exportData} returns. */
export interface RecorderExport extends StoreDump {
  /** Accepted events not written yet (e.g. held until consent). */
  pending: NewEvent[];
}

/** What {@link Recorder.forget} returns: storage re-read after deletion. */
export interface ForgetResult {
  /** True when the re-read found no event and no database. */
  verified: boolean;
  /** `kind` of the preferred store. */
  storage: string;
  remainingEvents: number;
  remainingDatabases: string[];
  /** ISO time of the erasure. */
  erasedAt: string;
}

function freezeEvent(e: NewEvent): NewEvent {
  if (e.context) Object.freeze(e.context);
  const items = (e.data as { items?: string[] }).items;
  if (items) Object.freeze(items);
  const props = (e.data as { props?: object }).props;
  if (props) Object.freeze(props);
  Object.freeze(e.data);
  return Object.freeze(e);
}

/**
 * Records events for one app on one device.
 * @example
 * const rec = new Recorder({ config: resolveConfig({ appId: 'shop' }), store: new MemoryEventStore() });
 * rec.record('view', { itemId: 'SKU-1' });
 * await rec.flush();
 */
export class Recorder {
  // `declare`: assigned in the constructor; keeps the script-tag bundle free of field-definition helpers.
  declare private readonly config: ResolvedConfig;
  declare private readonly primary: EventStore;
  declare private active: EventStore;
  declare private readonly onError: (e: LocalRecError) => void;
  declare private readonly strict: boolean;
  declare private readonly now: () => number;
  declare private readonly newId: () => string;
  declare private readonly makeFallback: () => EventStore | Promise<EventStore>;
  declare private readonly bucket: TokenBucket | undefined;
  declare private session: SessionTracker;
  declare private consentValue: Consent;
  declare private pending: NewEvent[];
  declare private opened: Promise<EventStore> | undefined;
  declare private degradedBy: LocalRecError | undefined;
  declare private chain: Promise<unknown>;
  declare private queuedFlush: Promise<void> | undefined;
  declare private overflowReported: boolean;
  declare private upkeep: Promise<void>;
  declare private readonly pruneIntervalMs: number;
  declare private readonly timer: (tick: () => void, everyMs: number) => () => void;
  /** Stops the running prune timer. */
  declare private stopTimer: (() => void) | undefined;
  declare private closed: boolean;
  /** Erases asked for and not finished: {@link flushNow} then waits its turn like any write. */
  declare private forgetting: number;
  /** The retention view of each store this recorder used (see {@link withRetention}). */
  declare private readonly views: WeakMap<EventStore, EventStore>;
  /**
   * Bumped after every batch written and every erase: a cheap stamp that changes whenever this
   * page changed the stored history (readers in this page can skip re-reading while it holds).
   */
  declare writes: number;

  constructor(options: RecorderOptions) {
    this.pending = [];
    this.chain = this.upkeep = Promise.resolve();
    this.overflowReported = false;
    this.writes = 0;
    this.config = options.config;
    this.primary = options.store;
    this.active = options.store;
    this.onError = options.onError ?? (() => undefined);
    this.strict = options.strict === true;
    this.now = options.now ?? (() => Date.now());
    this.newId = options.newId ?? createUid;
    this.makeFallback = options.fallback ?? memoryFallback;
    this.bucket = this.config.rateLimit === false ? undefined : new TokenBucket(this.config.rateLimit);
    this.session = new SessionTracker(this.config.sessionIdleMs, this.newId);
    this.consentValue = this.config.consent;
    this.views = new WeakMap();
    this.closed = false;
    this.forgetting = 0;
    const every = options.pruneIntervalMs ?? PRUNE_INTERVAL_MS;
    this.pruneIntervalMs = Number.isFinite(every) && every > 0 ? every : 0;
    this.timer = options.timer ?? intervalTimer;
  }

  /** Current consent. */
  get consent(): Consent {
    return this.consentValue;
  }

  /** True when events may be written to storage now. */
  get canWrite(): boolean {
    return this.consentValue === 'granted' || (this.consentValue === 'pending' && !this.config.requireConsent);
  }

  /**
   * The store that receives writes now (the fallback after a failure), seen through the retention
   * window: its reads never return an event past `retentionDays` (see {@link withRetention}).
   */
  get store(): EventStore {
    return this.view(this.active);
  }

  /** `store` through the retention window (one view per store). */
  private view(store: EventStore): EventStore {
    let v = this.views.get(store);
    if (!v) this.views.set(store, (v = withRetention(store, { retentionMs: this.config.retentionMs, now: this.now })));
    return v;
  }

  /** Retention and the cap as of now. */
  private policy(): { retentionMs: number; maxEvents: number; now: number } {
    return { retentionMs: this.config.retentionMs, maxEvents: this.config.maxEvents, now: this.now() };
  }

  /**
   * Opens the store now, if storage exists, instead of on first use, and so deletes what has passed
   * retention (and what is over the cap) without waiting for a write, under every consent state.
   * Creates no storage: without stored data there is nothing to delete. Never rejects (a failed
   * prune goes to `onError`). Front ends call it when they start. Runs on the write chain, so an erase
   * asked for meanwhile runs wholly before or after it (never re-creating what it erased).
   */
  open(): Promise<void> {
    // A store that cannot even say whether it exists (no IndexedDB, …) holds nothing to delete
    // now: the first write fails over and reports why, once.
    const run = this.chain
      .then(() => this.readable(false))
      .then(
        () => undefined,
        () => undefined,
      );
    this.chain = run;
    return run;
  }

  /** Stops the prune timer. The recorder keeps working; call it when the page is done with it. */
  close(): void {
    this.closed = true;
    this.stopTimer?.();
    this.stopTimer = undefined;
  }

  /** Starts the prune timer once a store is open (not in a closed recorder). */
  private startPruneTimer(): void {
    if (this.stopTimer !== undefined || this.closed || this.pruneIntervalMs === 0) return;
    this.stopTimer = this.timer(() => this.pruneExpired(), this.pruneIntervalMs);
  }

  /**
   * The timer's prune: on the write chain (after writes, before an erase queued later), and only
   * while the storage still exists — a prune must not re-create storage another tab or
   * `forget()` erased.
   */
  private pruneExpired(): void {
    const run = this.chain.then(async () => {
      const opened = this.opened;
      if (!opened) return;
      const store = await opened;
      if ((await store.residue()).databases.length === 0) return;
      await store.prune(this.policy());
    });
    this.chain = run.catch((err: unknown) => this.report(asStorageError(err)));
  }

  get status(): RecorderStatus {
    const s: RecorderStatus = { storage: this.active.kind, degraded: this.active !== this.primary, pending: this.pending.length };
    if (this.degradedBy) s.storageError = this.degradedBy.message;
    return s;
  }

  /**
   * Validates and queues one event. Synchronous and cheap; storage happens on {@link flush}
   * (called automatically once a batch is full).
   * @returns the accepted (frozen) event, or `undefined` when consent is `'denied'`.
   * @throws {LocalRecError} `INVALID_EVENT` (nothing is queued) or `RATE_LIMITED`.
   */
  record(type: string, data: unknown): NewEvent | undefined {
    const now = this.now();
    const valid = validateEvent(type, data, now);
    if (this.consentValue === 'denied') return undefined;
    if (this.bucket && !this.bucket.take(now)) {
      const rl = this.config.rateLimit as { perSecond: number; burst: number };
      throw new LocalRecError(
        'RATE_LIMITED',
        `Too many events: more than ${rl.burst} at once or ${rl.perSecond}/s sustained; event dropped.`,
        {
          field: 'rateLimit',
          accepted: [`≤ ${rl.perSecond} events/s`, `bursts ≤ ${rl.burst}`],
        },
      );
    }
    const ev: NewEvent = { uid: this.newId(), type: valid.type, ts: valid.ts, sessionId: this.session.touch(now), data: valid.data };
    if (valid.itemId !== undefined) ev.itemId = valid.itemId;
    if (valid.context !== undefined) ev.context = valid.context;
    this.enqueue(freezeEvent(ev));
    if (this.canWrite && this.pending.length >= this.config.batchSize) void this.flush().catch(() => undefined);
    return ev;
  }

  private enqueue(ev: NewEvent): void {
    this.pending.push(ev);
    if (this.pending.length <= this.config.queueLimit) {
      this.overflowReported = false;
      return;
    }
    this.pending.shift();
    if (!this.overflowReported) {
      this.overflowReported = true;
      this.report(
        new LocalRecError(
          'QUEUE_FULL',
          `More than ${this.config.queueLimit} events are waiting (${this.canWrite ? 'storage is slow' : 'consent is not granted'}); the oldest are dropped.`,
          {
            field: 'queueLimit',
            accepted: [`≤ ${this.config.queueLimit} waiting events`],
          },
        ),
      );
    }
  }

  /**
   * Changes consent. `'granted'` writes the held events; `'denied'` discards them (and stores
   * nothing from then on). Data stored earlier stays until {@link forget}.
   * @throws {LocalRecError} `INVALID_ARGUMENT` for any other value.
   */
  setConsent(consent: Consent): void {
    this.consentValue = checkConsent(consent);
    if (consent === 'denied') this.pending = [];
    if (this.canWrite && this.pending.length > 0) void this.flush().catch(() => undefined);
  }

  /**
   * Writes every queued event (in batches of `batchSize`, one transaction each), then persists
   * the session and applies retention and the cap. Resolves when the events are durable in the
   * store, or in the fallback store after a failure (reported through `onError`). Rejects only
   * in strict mode. Without write consent it resolves at once and writes nothing.
   */
  flush(): Promise<void> {
    if (this.queuedFlush) return this.queuedFlush;
    const run = this.chain.then(() => {
      this.queuedFlush = undefined;
      return this.writePending();
    });
    // The upkeep after a write is not on the write chain: a flush asked for meanwhile (pagehide)
    // starts writing at once instead of waiting behind retention and the cap.
    this.chain = run.catch(() => undefined);
    const done = run.then(() => this.upkeep);
    this.queuedFlush = done;
    return done;
  }

  /**
   * Writes every queued event at once, without waiting behind a write in flight: for the last
   * moments of a page (`pagehide`), which may run no later task. A write in flight may store the same
   * events too; stores skip a `uid` already stored, so nothing is stored twice. Whatever cannot be
   * written this way (the store is not open yet, a write fails) is left to a normal {@link flush}.
   */
  flushNow(): Promise<void> {
    const opened = this.opened;
    if (!this.canWrite || this.pending.length === 0 || !opened || this.forgetting > 0) return this.flush();
    const queued = [...this.pending];
    const now = opened.then(async (store) => {
      for (let i = 0; i < queued.length; i += this.config.batchSize) {
        const batch = queued.slice(i, i + this.config.batchSize);
        await store.append(batch);
        const done = new Set(batch);
        this.pending = this.pending.filter((e) => !done.has(e));
        this.writes++;
      }
      this.upkeep = this.upkeep.then(() => this.maintain());
    });
    return now.catch(() => this.flush());
  }

  private report(e: LocalRecError): void {
    try {
      this.onError(e);
    } catch {
      // A throwing host callback must not break recording.
    }
  }

  /** Opens the active store once; an open failure switches to the fallback. */
  private ensureOpen(): Promise<EventStore> {
    this.opened ??= (async () => {
      try {
        await this.active.open();
      } catch (err) {
        await this.failover(asStorageError(err));
        this.startPruneTimer();
        return this.active;
      }
      try {
        const prev = await this.active.getMeta<SessionState>(SESSION_META_KEY);
        const replaced = this.session.adopt(prev);
        const id = this.session.current?.id;
        if (replaced !== undefined && id !== undefined) {
          this.pending = this.pending.map((e) => (e.sessionId === replaced ? freezeEvent({ ...e, sessionId: id }) : e));
        }
      } catch (err) {
        this.report(asStorageError(err));
      }
      // Retention must hold without writes: what expired while the page was closed goes now.
      try {
        await this.active.prune(this.policy());
      } catch (err) {
        this.report(asStorageError(err));
      }
      this.startPruneTimer();
      return this.active;
    })();
    return this.opened;
  }

  /** Switches writes to the fallback store, carrying over what the failed store still lets us read. */
  private async failover(cause: LocalRecError): Promise<void> {
    if (this.active !== this.primary) throw cause; // the fallback itself failed: nothing left to switch to
    const mem = await openFallback(this.view(this.active), this.makeFallback);
    this.active = mem;
    this.opened = Promise.resolve(mem);
    this.degradedBy = cause;
    this.report(
      new LocalRecError(cause.code, `${cause.message} LocalRec keeps working from memory for this page (storage: "${mem.kind}").`, {
        cause,
        ...(cause.field !== undefined ? { field: cause.field } : {}),
      }),
    );
  }

  private async writePending(): Promise<void> {
    let failure: LocalRecError | undefined;
    let wrote = false;
    while (this.canWrite && this.pending.length > 0) {
      const store = await this.ensureOpen();
      const batch = this.pending.slice(0, this.config.batchSize);
      try {
        await this.appendWithQuotaRetry(store, batch);
      } catch (err) {
        failure = asStorageError(err);
        try {
          await this.failover(failure);
        } catch (fatal) {
          // Even the fallback failed: keep the events queued and give up for now.
          this.report(asStorageError(fatal));
          if (this.strict) throw asStorageError(fatal);
          return;
        }
        continue; // retry the same batch on the fallback
      }
      const done = new Set(batch);
      this.pending = this.pending.filter((e) => !done.has(e));
      wrote = true;
      this.writes++;
    }
    if (wrote) this.upkeep = this.upkeep.then(() => this.maintain());
    if (failure && this.strict) throw failure;
  }

  /**
   * Appends; on QUOTA_EXCEEDED evicts oldest first and retries (see {@link appendOverQuota}). Only
   * when the batch still does not fit does the error propagate (and the Recorder falls back to memory).
   */
  private async appendWithQuotaRetry(store: EventStore, batch: NewEvent[]): Promise<void> {
    try {
      await store.append(batch);
    } catch (err) {
      const e = asStorageError(err);
      if (e.code !== 'QUOTA_EXCEEDED') throw e;
      await appendOverQuota(
        store,
        batch,
        e,
        () => this.policy(),
        (x) => this.report(x),
      );
    }
  }

  /** After writes: persist the session, apply retention and the cap. Failures are reported, not thrown. */
  private async maintain(): Promise<void> {
    const store = this.active;
    try {
      const s = this.session.current;
      if (s) await store.setMeta(SESSION_META_KEY, s);
      await store.prune(this.policy());
    } catch (err) {
      this.report(asStorageError(err));
    }
  }

  /**
   * The store to read from, through the retention window, or `undefined` when nothing was ever
   * stored and storage may not be created (`create` false, or no write consent): reading must not
   * create a database before consent.
   */
  private async readable(create = this.canWrite): Promise<EventStore | undefined> {
    if (this.opened || create) return this.view(await this.ensureOpen());
    const r = await this.active.residue();
    return r.databases.length > 0 ? this.view(await this.ensureOpen()) : undefined;
  }

  /**
   * Queries stored events (after writing queued ones), from the store that holds them now; never
   * an event past retention. For the shopper's history: `recentSequence(await recorder.query(), { maxLen })`.
   */
  async query(q?: EventQuery): Promise<StoredEvent[]> {
    await this.flush();
    const store = await this.readable();
    return store ? store.query(q) : [];
  }

  /**
   * Everything stored on this device (but events past retention, deleted or about to be) plus the
   * events still waiting. Flushes first when allowed.
   */
  async exportData(): Promise<RecorderExport> {
    await this.flush();
    const store = await this.readable();
    const dump: StoreDump = store ? await store.dump() : { store: this.active.kind, schemaVersion: 0, events: [], meta: {} };
    return { ...dump, pending: [...this.pending] };
  }

  /**
   * Another page erased the storage this Recorder writes to (`forgetMe()` in another tab of the
   * shop): drops the queued events (tracked before that erase), starts a new session, and reopens
   * the store on its next use. Touches no storage; the fallback store (this page's memory) is emptied.
   */
  discard(): void {
    this.pending = [];
    this.writes++;
    this.opened = undefined;
    this.session = new SessionTracker(this.config.sessionIdleMs, this.newId);
    if (this.active !== this.primary) void this.active.destroy().catch(() => undefined);
  }

  /**
   * Deletes everything: the queue, the preferred store and the fallback, then re-reads storage
   * (without recreating it) and returns what is left. Recording continues afterwards into fresh
   * storage, in a new session.
   */
  forget(): Promise<ForgetResult> {
    // After the upkeep too: a prune still running would re-create the storage it erases.
    this.forgetting++;
    const run = this.chain
      .then(() => this.upkeep)
      .then(async (): Promise<ForgetResult> => {
        const stores = this.active === this.primary ? [this.primary] : [this.primary, this.active];
        const onError = (err: unknown): void => this.report(asStorageError(err));
        // The queue goes when the erase starts (in the script tag, once its code has loaded: if it
        // cannot load, nothing is dropped and forget() rejects).
        const primaryDestroyed = await destroyStores(stores, onError, () => {
          this.pending = [];
          this.writes++;
        });
        this.opened = undefined;
        this.session = new SessionTracker(this.config.sessionIdleMs, this.newId);
        if (primaryDestroyed && this.active !== this.primary) {
          // Give the preferred store another chance with fresh, empty storage.
          this.active = this.primary;
          this.degradedBy = undefined;
        }
        const { remainingEvents, remainingDatabases } = await readResidue(stores, onError);
        return {
          verified: remainingEvents === 0 && remainingDatabases.length === 0,
          storage: this.primary.kind,
          remainingEvents,
          remainingDatabases,
          erasedAt: new Date(this.now()).toISOString(),
        };
      });
    this.chain = run.catch(() => undefined).finally(() => this.forgetting--);
    return run;
  }
}
