/**
 * {@link KeyValueEventStore}: core's `EventStore` over a plain async key-value storage.
 *
 * Layout, under the prefix `localrec:<appId>:`
 * - `idx`       the index: chunk list (id, event count, bytes, seq and time range), next seq, a generation.
 * - `c<id>`     one chunk: a JSON array of stored events in `seq` order, at most `chunkBytes` bytes.
 * - `m:<key>`   one meta value, `{ v: value }`.
 *
 * Chunks are copy-on-write: a chunk key, once written, never changes. Every change writes the new
 * chunks first, then the index (the commit point), then removes the chunks the index no longer
 * names. A crash or failed write before the index write leaves the old index, which names only
 * intact old chunks: the interrupted batch is lost, nothing stored before it is. Chunks that no
 * index names (left by such a crash) are removed on the next `open()`. An index that cannot be
 * read is rebuilt from the chunks.
 *
 * Space: a change that would take this store past `maxBytes`, or the whole app storage past its
 * limit minus `reserveBytes`, first evicts this store's oldest chunks (a whole chunk at a time,
 * oldest events first), committed before the change is written. The eviction is the one case
 * where an `append` loses events stored before it, and only events that a full store was about to
 * lose to its own cap anyway.
 *
 * Writers: every operation runs under one lock per underlying storage (see `KvStorage.lockKey`),
 * shared by all store instances in this JavaScript context, and re-reads the index, so two
 * writers in one process see each other's events and never interleave their writes. Separate
 * processes writing the same storage are not supported (WeChat gives a mini-program one logic
 * thread; its worker cannot use `wx.setStorage`).
 */
import { LocalRecError, applyQuery, cloneJson } from '@localrec/core';
import { checkAppId } from '@localrec/core/internal';
import type { EventQuery, EventStore, NewEvent, RetentionPolicy, StoreDump, StoredEvent, StoreResidue } from '@localrec/core';
import { ChunkBytes, type Segment } from './bytes.js';
import type { KvLimits, KvStorage } from './kv.js';
import { WX_LIMITS } from './kv.js';
import { StoreKeys, describeChunk, emptyIndex, isChunk, isIndex, type ChunkRef, type Index } from './layout.js';
import { withLock } from './lock.js';
import { entryBytes } from './size.js';

/** Options of {@link KeyValueEventStore}. Only `appId` and `storage` are required. */
export interface KeyValueEventStoreOptions {
  /** Names the key prefix `localrec:<appId>:`. `[A-Za-z0-9._-]`, 1–64 chars. */
  appId: string;
  /** The key-value storage, e.g. `wxStorage(wx)`. */
  storage: KvStorage;
  /** Platform limits. Default {@link WX_LIMITS} (1 MB per key, 10 MB in total). */
  limits?: Partial<KvLimits>;
  /** Target size of one chunk in bytes. Default 128 KB; at most half of `limits.perKeyBytes`. */
  chunkBytes?: number;
  /** Most bytes this store's chunks and index may occupy. Default 80% of `limits.totalBytes`. */
  maxBytes?: number;
  /** Bytes of the app's total storage always left free for the host's own keys. Default 512 KB. */
  reserveBytes?: number;
}

const SCHEMA_VERSION = 1;
const KB = 1024;

const clone = cloneJson;

function toStorageError(err: unknown, what: string): LocalRecError {
  if (err instanceof LocalRecError) return err;
  const msg = err instanceof Error ? err.message : String((err as { errMsg?: unknown } | undefined)?.errMsg ?? err);
  return new LocalRecError('STORAGE_FAILED', `Key-value store: ${what} failed: ${msg}`, { cause: err });
}

function badOption(field: string, got: unknown, what: string): LocalRecError {
  return new LocalRecError('INVALID_CONFIG', `KeyValueEventStore: ${field} must be ${what}; got ${JSON.stringify(got) ?? String(got)}.`, {
    field,
    accepted: [what],
  });
}

const eventCount = (idx: Index): number => idx.chunks.reduce((s, c) => s + c.n, 0);

/**
 * Core's `EventStore` over a key-value storage with a per-key and a total size limit — the
 * mini-program store. See the module comment for layout, crash safety, eviction and locking.
 * Meta values are stored as JSON (a `Date` comes back as a string).
 * @example
 * const store = new KeyValueEventStore({ appId: 'shop', storage: wxStorage(wx) });
 * await store.open();
 * await store.append([event]);
 */
export class KeyValueEventStore implements EventStore {
  readonly kind = 'kv';
  readonly storage: KvStorage;
  readonly prefix: string;
  readonly limits: Readonly<KvLimits>;
  readonly chunkBytes: number;
  readonly maxBytes: number;
  readonly reserveBytes: number;

  private readonly keys: StoreKeys;
  private readonly bytes: ChunkBytes;
  private readonly lockKey: object;
  private readonly cache = new Map<number, StoredEvent[]>();
  /** `epoch:gen` of the index the cache matches. */
  private cachedTag = '';
  private uids: Set<string> | undefined;
  private opened = false;

  constructor(options: KeyValueEventStoreOptions) {
    const { appId, storage } = options ?? ({} as KeyValueEventStoreOptions);
    checkAppId(appId, 'KeyValueEventStore options'); // the SDK's rule, code and message
    const fns = ['get', 'set', 'remove', 'keys', 'info'] as const;
    if (typeof storage !== 'object' || storage === null || fns.some((f) => typeof storage[f] !== 'function')) {
      throw new LocalRecError('INVALID_CONFIG', `KeyValueEventStore: storage must implement ${fns.join(', ')}.`, {
        field: 'storage',
        accepted: fns,
      });
    }
    this.storage = storage;
    this.lockKey = storage.lockKey ?? storage;
    this.keys = new StoreKeys(appId);
    this.prefix = this.keys.prefix;
    this.limits = Object.freeze({ ...WX_LIMITS, ...options.limits });
    const { perKeyBytes, totalBytes } = this.limits;
    const posInt = (f: string, v: unknown, min: number, max: number): number => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badOption(f, v, `an integer from ${min} to ${max}`);
      return v;
    };
    posInt('limits.perKeyBytes', perKeyBytes, 4 * KB, 2 ** 31);
    posInt('limits.totalBytes', totalBytes, perKeyBytes, 2 ** 40);
    // Half a key's limit: room for the platform's own encoding of the value (escapes, wrappers).
    this.chunkBytes = posInt('chunkBytes', options.chunkBytes ?? Math.min(128 * KB, perKeyBytes / 2), KB, Math.floor(perKeyBytes / 2));
    this.reserveBytes = posInt('reserveBytes', options.reserveBytes ?? 512 * KB, 0, totalBytes - 4 * this.chunkBytes);
    this.maxBytes = posInt(
      'maxBytes',
      options.maxBytes ?? Math.floor(totalBytes * 0.8),
      4 * this.chunkBytes,
      totalBytes - this.reserveBytes,
    );
    this.bytes = new ChunkBytes(this.keys, this.chunkBytes);
  }

  /**
   * Runs `fn` under the storage's write lock, opening first when needed: like the other stores,
   * any call (re)opens lazily, also after `close()` or `destroy()`.
   */
  private locked<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withLock(this.lockKey, async () => {
      try {
        if (!this.opened) await this.openUnlocked();
        return await fn();
      } catch (err) {
        throw toStorageError(err, what);
      }
    });
  }

  /** Reads the index, rebuilds it from the chunks if unreadable, and removes orphaned chunks. */
  open(): Promise<void> {
    return withLock(this.lockKey, async () => {
      try {
        await this.openUnlocked();
      } catch (err) {
        throw toStorageError(err, 'open');
      }
    });
  }

  private async openUnlocked(): Promise<void> {
    const idx = await this.readIndex();
    const live = new Set(idx.chunks.map((c) => this.keys.chunk(c.id)));
    for (const key of await this.storage.keys()) {
      if (key.startsWith(this.keys.chunkPrefix) && !live.has(key)) await this.storage.remove(key);
    }
    this.opened = true;
  }

  /** The current index, with every chunk it names in the cache. */
  private async readIndex(attempt = 0): Promise<Index> {
    const raw = await this.storage.get(this.keys.index);
    let idx: Index;
    if (raw === undefined) idx = emptyIndex();
    else if (isIndex(raw)) idx = raw;
    else idx = await this.rebuildIndex();
    if (`${idx.epoch}:${idx.gen}` !== this.cachedTag) {
      // Chunk ids restart in a new epoch, so nothing cached from another epoch can be trusted.
      if (!this.cachedTag.startsWith(`${idx.epoch}:`)) this.cache.clear();
      const ids = new Set(idx.chunks.map((c) => c.id));
      for (const id of this.cache.keys()) if (!ids.has(id)) this.cache.delete(id);
      const missing: number[] = [];
      for (const c of idx.chunks) {
        if (this.cache.has(c.id)) continue;
        const events = await this.storage.get(this.keys.chunk(c.id));
        if (isChunk(events)) this.cache.set(c.id, events);
        else missing.push(c.id);
      }
      if (missing.length > 0) {
        // A writer outside this lock (another thread reading through a bridge) may have committed
        // and removed the chunk meanwhile: if the index moved on, read it again.
        const now = await this.storage.get(this.keys.index);
        if (isIndex(now) && (now.epoch !== idx.epoch || now.gen !== idx.gen) && attempt < 3) return this.readIndex(attempt + 1);
        // A chunk named by the current index is gone or unreadable (removed behind our back): keep the rest.
        idx = { ...idx, gen: idx.gen + 1, chunks: idx.chunks.filter((c) => !missing.includes(c.id)) };
        await this.storage.set(this.keys.index, idx);
      }
      this.cachedTag = `${idx.epoch}:${idx.gen}`;
      this.uids = undefined;
    }
    return idx;
  }

  /** Rebuilds an unreadable index from the chunk keys (chunks ordered by their first seq). */
  private async rebuildIndex(): Promise<Index> {
    const { chunkPrefix } = this.keys;
    const found: { id: number; events: StoredEvent[] }[] = [];
    for (const key of await this.storage.keys()) {
      if (!key.startsWith(chunkPrefix)) continue;
      const id = Number(key.slice(chunkPrefix.length));
      const events = await this.storage.get(key);
      if (Number.isInteger(id) && isChunk(events) && events.length > 0) found.push({ id, events });
      else await this.storage.remove(key);
    }
    found.sort((a, b) => (a.events[0]?.seq ?? 0) - (b.events[0]?.seq ?? 0));
    // Two copies of the same events (a commit torn between new chunk and old-chunk removal): keep the newer chunk.
    const seen = new Set<number>();
    const kept: { id: number; events: StoredEvent[] }[] = [];
    for (const f of found.sort((a, b) => b.id - a.id)) {
      if (f.events.some((e) => seen.has(e.seq))) {
        await this.storage.remove(this.keys.chunk(f.id));
        continue;
      }
      for (const e of f.events) seen.add(e.seq);
      kept.push(f);
    }
    kept.sort((a, b) => (a.events[0]?.seq ?? 0) - (b.events[0]?.seq ?? 0));
    const idx = emptyIndex();
    this.cache.clear();
    for (const { id, events } of kept) {
      idx.chunks.push(describeChunk(id, events, entryBytes(this.keys.chunk(id), events)));
      this.cache.set(id, events);
    }
    idx.nextSeq = Math.max(1, ...[...seen].map((s) => s + 1));
    idx.nextChunk = Math.max(1, ...kept.map((k) => k.id + 1));
    await this.storage.set(this.keys.index, idx);
    return idx;
  }

  /** Every stored event, chunk by chunk (seq order). */
  private eventsOf(chunks: readonly ChunkRef[]): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const c of chunks) for (const e of this.cache.get(c.id) ?? []) out.push(e);
    return out;
  }

  private uidSet(idx: Index): Set<string> {
    this.uids ??= new Set(this.eventsOf(idx.chunks).map((e) => e.uid));
    return this.uids;
  }

  /** An existing chunk as a segment of a plan. */
  private keep(ref: ChunkRef): Segment {
    return this.bytes.keep(ref, this.cache.get(ref.id) ?? []);
  }

  /**
   * Writes the planned chunk list: new chunks, then the index (commit), then removal of chunks
   * no longer named. On a failure before the commit it removes what it wrote and rethrows.
   */
  private async commit(idx: Index, plan: readonly Segment[]): Promise<Index> {
    const next: Index = { v: 1, epoch: idx.epoch, gen: idx.gen + 1, nextSeq: idx.nextSeq, nextChunk: idx.nextChunk, chunks: [] };
    const written: number[] = [];
    const newEvents = new Map<number, StoredEvent[]>();
    try {
      for (const s of plan) {
        if (s.ref !== undefined) {
          next.chunks.push(s.ref);
          continue;
        }
        const id = next.nextChunk++;
        written.push(id);
        await this.storage.set(this.keys.chunk(id), s.events);
        newEvents.set(id, s.events);
        next.chunks.push(describeChunk(id, s.events, this.bytes.written(id, s)));
      }
      await this.storage.set(this.keys.index, next);
    } catch (err) {
      for (const id of written) await this.storage.remove(this.keys.chunk(id)).catch(() => undefined);
      throw err;
    }
    for (const [id, events] of newEvents) this.cache.set(id, events);
    this.cachedTag = `${next.epoch}:${next.gen}`;
    this.uids = undefined;
    const live = new Set(next.chunks.map((c) => c.id));
    for (const c of idx.chunks) {
      if (live.has(c.id)) continue;
      this.cache.delete(c.id);
      // Past the commit point: a failed removal only leaves an orphan for the next open().
      await this.storage.remove(this.keys.chunk(c.id)).catch(() => undefined);
    }
    return next;
  }

  /**
   * Appends a batch: skips events whose `uid` is stored (or repeated in the batch), assigns
   * increasing `seq`s, and commits all of them or none. May first evict the oldest chunks when
   * space runs out (see the module comment).
   * @throws {LocalRecError} `QUOTA_EXCEEDED` when the batch cannot fit even in an empty store;
   * `PAYLOAD_TOO_LARGE` for one event larger than a chunk; `STORAGE_FAILED` on a storage error.
   */
  append(events: readonly NewEvent[]): Promise<StoredEvent[]> {
    return this.locked('append', async () => {
      let idx = await this.readIndex();
      const uids = this.uidSet(idx);
      const fresh: StoredEvent[] = [];
      const inBatch = new Set<string>();
      let seq = idx.nextSeq;
      for (const e of events) {
        if (uids.has(e.uid) || inBatch.has(e.uid)) continue;
        inBatch.add(e.uid);
        fresh.push({ ...clone(e), seq: seq++ });
      }
      if (fresh.length === 0) return [];

      // Merge a small tail chunk with the new events (compaction at append).
      const tail = idx.chunks[idx.chunks.length - 1];
      const mergeTail = tail !== undefined && tail.bytes < this.chunkBytes / 2;
      const head = mergeTail ? idx.chunks.slice(0, -1) : idx.chunks;
      const region = this.bytes.merge([...(mergeTail ? [this.keep(tail)] : []), ...this.bytes.pack(fresh)]);
      const newBytes = this.bytes.added(region, idx.nextChunk);

      // Space: the peak is old + new chunks (the replaced tail goes only after the commit).
      const info = await this.storage.info();
      const limit = Math.min(info.limitSize, this.limits.totalBytes);
      const own = this.bytes.own(idx);
      const others = Math.max(0, info.currentSize - own);
      const indexSlack = 64 * (region.length + 1);
      const budget = { storeBytes: this.maxBytes, totalBytes: limit - this.reserveBytes, othersBytes: others };
      const evict = this.bytes.evictions(head, own, newBytes + indexSlack, budget);
      if (evict === undefined) {
        throw new LocalRecError(
          'QUOTA_EXCEEDED',
          `Key-value store: a batch of ${fresh.length} events (${newBytes} bytes) does not fit: ` +
            `store limit ${this.maxBytes} bytes, app storage ${others} of ${limit} bytes used by other keys, ${this.reserveBytes} bytes reserved.`,
        );
      }
      // Evict the oldest chunks and commit that first, so the new chunks have room.
      if (evict > 0)
        idx = await this.commit(
          idx,
          idx.chunks.slice(evict).map((c) => this.keep(c)),
        );
      const stillHead = idx.chunks.filter((c) => head.some((h) => h.id === c.id));
      await this.commit({ ...idx, nextSeq: seq }, [...stillHead.map((c) => this.keep(c)), ...region]);
      for (const e of fresh) this.uids?.add(e.uid);
      return clone(fresh);
    });
  }

  /** Events matching `q`, oldest first (by `ts`, then `seq`) unless `order: 'desc'`. */
  query(q: EventQuery = {}): Promise<StoredEvent[]> {
    return this.locked('query', async () => {
      const idx = await this.readIndex();
      // Chunks wholly outside the time range are skipped; core's applyQuery does the rest.
      const chunks = idx.chunks.filter(
        (c) => (q.since === undefined || c.maxTs >= q.since) && (q.until === undefined || c.minTs < q.until),
      );
      return clone(applyQuery(this.eventsOf(chunks), q));
    });
  }

  count(): Promise<number> {
    return this.locked('count', async () => eventCount(await this.readIndex()));
  }

  /**
   * Deletes events older than `now - retentionMs`, then the oldest beyond `maxEvents`, and
   * compacts what is left. Returns how many events were deleted.
   */
  prune(policy: RetentionPolicy): Promise<number> {
    return this.locked('prune', async () => {
      const idx = await this.readIndex();
      const cutoff = policy.now - policy.retentionMs;
      const all = this.eventsOf(idx.chunks);
      const doomed = new Set<number>();
      for (const e of all) if (e.ts < cutoff) doomed.add(e.seq);
      const left = applyQuery(all.filter((e) => !doomed.has(e.seq))); // oldest first
      const over = left.length - Math.max(0, policy.maxEvents);
      for (let i = 0; i < over; i++) doomed.add(left[i]!.seq);
      if (doomed.size === 0) return 0;
      const plan: Segment[] = [];
      for (const c of idx.chunks) {
        const events = this.cache.get(c.id) ?? [];
        const kept = events.filter((e) => !doomed.has(e.seq));
        if (kept.length === events.length) plan.push(this.keep(c));
        else if (kept.length > 0) plan.push(...this.bytes.pack(kept));
      }
      await this.commit(idx, this.bytes.merge(plan));
      return doomed.size;
    });
  }

  /**
   * Merges neighbouring chunks that fit in one (appends and `prune` already do this for the
   * chunks they touch). Returns the number of chunks after compaction.
   */
  compact(): Promise<number> {
    return this.locked('compact', async () => {
      const idx = await this.readIndex();
      const plan = this.bytes.merge(idx.chunks.map((c) => this.keep(c)));
      if (plan.length === idx.chunks.length) return plan.length;
      return (await this.commit(idx, plan)).chunks.length;
    });
  }

  /** Storage use: chunk count and this store's bytes (chunks + index). */
  stats(): Promise<{ chunks: number; events: number; bytes: number; maxChunkBytes: number }> {
    return this.locked('stats', async () => {
      const idx = await this.readIndex();
      return {
        chunks: idx.chunks.length,
        events: eventCount(idx),
        bytes: this.bytes.own(idx),
        maxChunkBytes: idx.chunks.reduce((m, c) => Math.max(m, c.bytes), 0),
      };
    });
  }

  getMeta<T = unknown>(key: string): Promise<T | undefined> {
    return this.locked('getMeta', async () => {
      const raw = (await this.storage.get(this.keys.meta(key))) as { v?: T } | undefined;
      return typeof raw === 'object' && raw !== null && 'v' in raw ? raw.v : undefined;
    });
  }

  /**
   * Stores a JSON-serialisable value under `key`.
   * @throws {LocalRecError} `INVALID_ARGUMENT` when the value is not JSON-serialisable;
   * `QUOTA_EXCEEDED` when it exceeds half the per-key limit.
   */
  setMeta(key: string, value: unknown): Promise<void> {
    return this.locked('setMeta', async () => {
      const entry = { v: value };
      let bytes: number;
      try {
        bytes = entryBytes(this.keys.meta(key), entry);
      } catch (err) {
        throw new LocalRecError('INVALID_ARGUMENT', `Meta "${key}" is not JSON-serialisable: ${(err as Error).message}`, {
          field: 'value',
          cause: err,
        });
      }
      if (bytes > this.limits.perKeyBytes / 2) {
        throw new LocalRecError(
          'QUOTA_EXCEEDED',
          `Meta "${key}" is ${bytes} bytes; one meta value may take at most ${this.limits.perKeyBytes / 2}.`,
          {
            field: 'value',
          },
        );
      }
      await this.storage.set(this.keys.meta(key), value === undefined ? {} : clone(entry));
    });
  }

  deleteMeta(key: string): Promise<void> {
    return this.locked('deleteMeta', () => this.storage.remove(this.keys.meta(key)));
  }

  dump(): Promise<StoreDump> {
    return this.locked('dump', async () => {
      const idx = await this.readIndex();
      const events = applyQuery(this.eventsOf(idx.chunks));
      const meta: Record<string, unknown> = {};
      const { metaPrefix } = this.keys;
      for (const key of await this.storage.keys()) {
        if (!key.startsWith(metaPrefix)) continue;
        const raw = (await this.storage.get(key)) as { v?: unknown } | undefined;
        if (typeof raw === 'object' && raw !== null && 'v' in raw) meta[key.slice(metaPrefix.length)] = raw.v;
      }
      return { store: this.kind, schemaVersion: SCHEMA_VERSION, events: clone(events), meta };
    });
  }

  /** Removes every key under this store's prefix and checks that none is left. */
  destroy(): Promise<void> {
    return this.locked('destroy', async () => {
      const mine = async (): Promise<string[]> => (await this.storage.keys()).filter((k) => k.startsWith(this.prefix));
      // Index first: if removal stops half-way, what is left is orphans, not a half index.
      await this.storage.remove(this.keys.index);
      for (const key of await mine()) await this.storage.remove(key);
      this.close();
      const left = await mine();
      if (left.length > 0) {
        throw new LocalRecError('STORAGE_FAILED', `Key-value store: destroy left ${left.length} keys: ${left.slice(0, 5).join(', ')}.`);
      }
    });
  }

  /**
   * Re-reads the storage without creating anything: events still readable and keys still under
   * this store's prefix (both empty after a successful `destroy()`).
   */
  residue(): Promise<StoreResidue> {
    return withLock(this.lockKey, async () => {
      try {
        const keys = (await this.storage.keys()).filter((k) => k.startsWith(this.prefix));
        const raw = await this.storage.get(this.keys.index);
        let events = isIndex(raw) ? eventCount(raw) : 0;
        // Without an index, count what the chunks still hold.
        for (const k of raw === undefined ? keys.filter((key) => key.startsWith(this.keys.chunkPrefix)) : []) {
          const chunk = await this.storage.get(k);
          if (isChunk(chunk)) events += chunk.length;
        }
        return { events, databases: keys };
      } catch (err) {
        throw toStorageError(err, 'residue');
      }
    });
  }

  /** Drops the in-memory cache. The data stays; the next call re-reads it. */
  close(): void {
    this.opened = false;
    this.cache.clear();
    this.cachedTag = '';
    this.uids = undefined;
  }
}
