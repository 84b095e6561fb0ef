/**
 * An {@link EventStore} in memory: the fallback when IndexedDB is missing or fails, the store of
 * plain-Node tests, and the reference behaviour for the conformance suite.
 */
import { LocalRecError } from './errors.js';
import { compareEventOrder } from './order.js';
import type { NewEvent, StoredEvent } from './events.js';
import type { EventQuery, EventStore, RetentionPolicy, StoreDump, StoreResidue } from './store.js';

/**
 * The state behind one or more {@link MemoryEventStore}s. Two stores on the same backing behave
 * like two tabs on one database.
 */
export class MemoryBacking {
  /** Stored events, in `seq` order. */
  events: StoredEvent[] = [];
  /** uids of `events`, for idempotent appends. */
  readonly uids = new Set<string>();
  readonly meta = new Map<string, unknown>();
  nextSeq = 1;
  /** True once a store used this backing and until it is destroyed (what `residue()` reports). */
  exists = false;
}

/**
 * Test-only fault injection, kept off the public class: a backing listed here fails every write
 * after applying this many events of a batch (the batch is then rolled back, as a real transaction
 * would be). Set through `failWritesAfter()` of `@localrec/core/testing`.
 */
const writeFaults = new WeakMap<MemoryBacking, number>();

/** Internal (re-exported by `@localrec/core/testing`): see {@link writeFaults}; `undefined` heals. */
export function setWriteFault(backing: MemoryBacking, after: number | undefined): void {
  if (after === undefined) writeFaults.delete(backing);
  else writeFaults.set(backing, after);
}

function injectedFailure(): LocalRecError {
  return new LocalRecError('STORAGE_FAILED', 'Injected storage failure.');
}

/** Deep copy of plain data (what structured clone would keep); rejects what it could not store. */
function clone<T>(v: T, path = 'value'): T {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'function' || typeof v === 'symbol') {
      throw new LocalRecError('STORAGE_FAILED', `${path} cannot be stored (a ${typeof v}).`, { field: path });
    }
    return v;
  }
  if (Array.isArray(v)) return (v as unknown[]).map((x, i) => clone(x, `${path}[${i}]`)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '__proto__') continue;
    out[k] = clone(x, `${path}.${k}`);
  }
  return out as T;
}

const compare = compareEventOrder;

/** Filters and orders events per {@link EventQuery}; shared by adapters that read into memory. */
export function applyQuery(events: readonly StoredEvent[], q: EventQuery = {}): StoredEvent[] {
  const types = q.types === undefined ? undefined : new Set<string>(q.types);
  let out = events.filter(
    (e) =>
      (types === undefined || types.has(e.type)) &&
      (q.itemId === undefined || e.itemId === q.itemId) &&
      (q.since === undefined || e.ts >= q.since) &&
      (q.until === undefined || e.ts < q.until),
  );
  out.sort(compare);
  if (q.order === 'desc') out.reverse();
  if (q.limit !== undefined) out = out.slice(0, Math.max(0, q.limit));
  return out;
}

/**
 * Events in memory, with the same semantics as the IndexedDB store: idempotent appends by
 * `uid`, all-or-nothing batches, oldest-first eviction.
 * @example const store = new MemoryEventStore(); await store.append([event]);
 */
export class MemoryEventStore implements EventStore {
  readonly kind = 'memory';
  readonly backing: MemoryBacking;

  constructor(options: { backing?: MemoryBacking } = {}) {
    this.backing = options.backing ?? new MemoryBacking();
  }

  /** Like the IndexedDB store, any call (re)opens storage lazily, also after close() or destroy(). */
  private use(): MemoryBacking {
    this.backing.exists = true;
    return this.backing;
  }

  async open(): Promise<void> {
    this.use();
  }

  async append(events: readonly NewEvent[]): Promise<StoredEvent[]> {
    const b = this.use();
    const added: StoredEvent[] = [];
    const seen = new Set<string>();
    const seqBefore = b.nextSeq;
    const failAfter = writeFaults.get(b);
    try {
      for (const e of events) {
        if (b.uids.has(e.uid) || seen.has(e.uid)) continue;
        if (failAfter !== undefined && added.length >= failAfter) throw injectedFailure();
        const stored = { ...clone(e, 'event'), seq: b.nextSeq++ };
        seen.add(e.uid);
        added.push(stored);
      }
    } catch (err) {
      b.nextSeq = seqBefore;
      throw err instanceof LocalRecError ? err : new LocalRecError('STORAGE_FAILED', String(err), { cause: err });
    }
    // Commit: nothing above touched the backing except nextSeq, so a failure stored nothing.
    for (const e of added) {
      b.events.push(e);
      b.uids.add(e.uid);
    }
    return added.map((e) => clone(e));
  }

  async query(q?: EventQuery): Promise<StoredEvent[]> {
    return applyQuery(this.use().events, q).map((e) => clone(e));
  }

  async count(): Promise<number> {
    return this.use().events.length;
  }

  async prune(policy: RetentionPolicy): Promise<number> {
    const b = this.use();
    const cutoff = policy.now - policy.retentionMs;
    let keep = b.events.filter((e) => e.ts >= cutoff).sort(compare);
    if (keep.length > policy.maxEvents) keep = keep.slice(keep.length - policy.maxEvents);
    const removed = b.events.length - keep.length;
    if (removed > 0) {
      const kept = new Set(keep);
      for (const e of b.events) if (!kept.has(e)) b.uids.delete(e.uid);
      b.events = keep.sort((x, y) => x.seq - y.seq);
    }
    return removed;
  }

  async getMeta<T = unknown>(key: string): Promise<T | undefined> {
    const v = this.use().meta.get(key);
    return v === undefined ? undefined : (clone(v) as T);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const b = this.use();
    if (writeFaults.has(b)) throw injectedFailure();
    b.meta.set(key, clone(value, `meta.${key}`));
  }

  async deleteMeta(key: string): Promise<void> {
    this.use().meta.delete(key);
  }

  async dump(): Promise<StoreDump> {
    const b = this.use();
    return {
      store: this.kind,
      schemaVersion: 1,
      events: applyQuery(b.events).map((e) => clone(e)),
      meta: Object.fromEntries([...b.meta].map(([k, v]) => [k, clone(v)])),
    };
  }

  async destroy(): Promise<void> {
    const b = this.backing;
    b.events = [];
    b.uids.clear();
    b.meta.clear();
    b.nextSeq = 1;
    b.exists = false;
  }

  async residue(): Promise<StoreResidue> {
    const b = this.backing;
    return { events: b.events.length, databases: b.exists ? ['memory'] : [] };
  }

  close(): void {
    // Nothing to release; the backing stays (like a closed IndexedDB connection leaves the database).
  }
}
