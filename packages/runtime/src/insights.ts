/**
 * The insights layer inside the runtime (worker side): what the device learns about its shopper,
 * read from the event store by the runtime itself, kept incrementally and stored in the store's
 * meta area — so `exportData()` shows it and `forgetMe()` (which deletes the whole database)
 * deletes it.
 *
 * | meta key                 | what                                                                    |
 * |--------------------------|-------------------------------------------------------------------------|
 * | `insights:profile`       | the profile accumulator state of settled events, abnormal seqs, impressions waiting for their outcome |
 * | `insights:reranker`      | the online re-ranker's weights                                          |
 * | `insights:segments-salt` | the device-local random salt of `getSegments()`                         |
 * | `insights:segments`      | this week's segments answer (returned unchanged for the rest of the week) |
 *
 * The insights logic itself is `@localrec/insights` (`foldEvents`, `rankList`, `getSegments`, …);
 * this module is its runtime glue: reading and writing the store, the bundle's popularity table and
 * segments file. Each read folds only the events it has not folded yet (see `settle.ts` of
 * `@localrec/insights` for when an event is final); abnormal events are kept out of the profile,
 * the model input and the re-ranker. The host's social context is held in memory only, for its lifetime;
 * the shopper's own `follow` and inbound `share` events are read from the store per answer and joined
 * with it (`mergeSocial` of `@localrec/insights`), in memory only.
 */
import {
  LocalRecError,
  cloneJson,
  recentSequence,
  type Consent,
  type EventStore,
  type ItemMeta,
  type ScoredItem,
  type SequenceEntry,
  type StoredEvent,
} from '@localrec/core';
import { globalFetch } from '@localrec/core/internal';
import { sha256Hex } from '@localrec/model';
import {
  ProfileAccumulator,
  Reranker,
  bundleSegments,
  createSegmentSalt,
  createSocialContext,
  foldEvents,
  mergeSocial,
  recordedSocial,
  SOCIAL_EVENT_TYPES,
  getSegments,
  isStreamState,
  listFeatureContext,
  newStreamState,
  popularityTable,
  rankList,
  streamProfileOptions,
  type BundleSegments,
  type Profile,
  type RerankerState,
  type SegmentsResult,
  type RecordedSocial,
  type ServedList,
  type SocialContext,
  type StreamSnapshot,
  type StreamState,
} from '@localrec/insights';
import type { InsightsOptions, ShopperProfile } from './api.js';
import type { ModelData } from './model-data.js';
import { utf8Text } from './text.js';
import { resolveUrl } from './url.js';

/** The store's meta keys of the insights layer (see the module documentation). */
export const INSIGHTS_META = {
  profile: 'insights:profile',
  reranker: 'insights:reranker',
  salt: 'insights:segments-salt',
  segments: 'insights:segments',
} as const;

/** Lists remembered (memory only) to match the host's impressions to what was served. */
const SERVED_LISTS = 20;

export interface InsightsDeps {
  store: EventStore;
  options?: InsightsOptions;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Deep copy through JSON (the state is JSON-safe; a memory store hands out its own objects). */
const clone = cloneJson;

const newRev = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** One per runtime. All methods read the store themselves; nothing about the shopper is passed in. */
export class ShopperInsights {
  private readonly store: EventStore;
  private readonly o: InsightsOptions;
  private readonly now: () => number;
  private state?: StreamState;
  /** The accumulator of `state.profile`. */
  private acc?: ProfileAccumulator;
  private reranker: Reranker;
  /** True once our state is in the store: its disappearance then means the store was wiped. */
  private persisted = false;
  private salt?: string;
  private social?: SocialContext;
  private served: ServedList[] = [];
  private last?: StreamSnapshot;
  private chain: Promise<unknown> = Promise.resolve();
  private segmentFiles = new Map<string, Promise<BundleSegments>>();
  private popularity = new WeakMap<ModelData, Map<string, number>>();

  /**
   * @param deps.options the runtime's `insights` option. When it is absent the runtime answers
   * from the model alone (no blending, no re-ranker), its input still without abnormal events (see
   * {@link modelSequence}); the profile, social context and segments APIs work either way.
   */
  constructor(private readonly deps: InsightsDeps) {
    this.store = deps.store;
    this.o = deps.options ?? {};
    this.now = deps.now ?? Date.now;
    this.reranker = new Reranker(this.o.reranker);
  }

  /** The `insights.social` settings (social candidates). */
  get socialOptions(): NonNullable<InsightsOptions['social']> {
    return this.o.social ?? {};
  }

  /** Whether answers go through the blending step and the re-ranker (`insights` given, `rank` not false). */
  get ranking(): boolean {
    return this.deps.options !== undefined && this.o.rank !== false;
  }

  private reset(): void {
    this.acc = new ProfileAccumulator(streamProfileOptions(this.o));
    this.state = newStreamState(this.acc);
    this.reranker = new Reranker(this.o.reranker);
    this.persisted = false;
    this.salt = undefined;
    this.served = [];
  }

  private adopt(saved: StreamState, r: (RerankerState & { rev?: string }) | undefined): void {
    const s = clone(saved);
    this.acc = new ProfileAccumulator(streamProfileOptions(this.o), s.profile);
    // A different half-life starts the profile afresh: read everything again.
    const fresh = this.acc.lastSeq !== s.profile.lastSeq;
    this.state = fresh ? { ...s, profile: this.acc.toJSON(), sinceTs: 0, abnormal: [] } : s;
    this.reranker = new Reranker(this.o.reranker, r?.rev === s.rev ? r : undefined);
    this.persisted = true;
  }

  /** Serialised: one read at a time (concurrent calls share the store's answer order). */
  sync(): Promise<StreamSnapshot> {
    const p = this.chain.then(() => this.doSync());
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async doSync(): Promise<StreamSnapshot> {
    const now = this.now();
    const saved = await this.store.getMeta<StreamState>(INSIGHTS_META.profile);
    if (isStreamState(saved)) {
      if (saved.rev !== this.state?.rev) this.adopt(saved, await this.store.getMeta(INSIGHTS_META.reranker));
    } else if (this.persisted || !this.state) this.reset(); // wiped (forgetMe), or first use
    const state = this.state!;
    const acc = this.acc!;
    const events = (await this.store.query({ since: state.sinceTs })).filter((e) => e.seq > acc.lastSeq);
    const { changed, snapshot } = foldEvents({ state, acc, reranker: this.reranker }, { events, served: this.served, now }, this.o);
    if (changed) await this.save();
    this.last = snapshot;
    return snapshot;
  }

  private async save(): Promise<void> {
    const s = this.state!;
    s.rev = newRev();
    try {
      await this.store.setMeta(INSIGHTS_META.profile, clone(s));
      await this.store.setMeta(INSIGHTS_META.reranker, { ...this.reranker.toJSON(), rev: s.rev });
      this.persisted = true;
    } catch {
      // No database yet (the page has not stored anything) or storage failing: keep it in memory.
    }
  }

  /** The profile now, with what was kept out and what the re-ranker has learned. */
  async profile(catalog: Readonly<Record<string, ItemMeta>>): Promise<ShopperProfile> {
    const snap = await this.sync();
    const p: Profile = snap.acc.profile(catalog, snap.now);
    return {
      ...p,
      excludedEvents: snap.excluded,
      feedback: { observations: this.reranker.observations, blendWeight: this.reranker.blendWeight, weights: this.reranker.weights() },
    };
  }

  /**
   * The model input: `base` (the runtime's sequence, read by core's rule) unless abnormal events
   * are known, then the same rule over the store with those events flagged (left out). Safe by
   * default: this runs with or without the `insights` option (the default rules of `detectAbnormal`
   * unless `insights.abnormal` says otherwise), so a script or a stuck key does not steer the model;
   * the flags of settled events are persisted in `insights:profile` (`abnormal`, seq runs) like the
   * rest of the fold.
   */
  async modelSequence(base: SequenceEntry[], maxLen: number): Promise<SequenceEntry[]> {
    const snap = await this.sync();
    if (!snap.anyAbnormal) return base;
    const flagged = {
      query: async (q?: Parameters<EventStore['query']>[0]): Promise<StoredEvent[]> =>
        (await this.store.query(q)).map((e) => (snap.isAbnormal(e.seq) ? { ...e, flags: [...(e.flags ?? []), 'abnormal'] } : e)),
    };
    return recentSequence(flagged, { maxLen });
  }

  /** Host social context: validated, memory only, for its `ttlMs`. `null` clears it. */
  setSocialContext(input: unknown): { items: number; expiresAt: number } | null {
    if (input === null) {
      this.social = undefined;
      return null;
    }
    this.social = createSocialContext(input, this.now());
    return { items: this.social.items.size, expiresAt: this.social.expiresAt };
  }

  /**
   * The shopper's recorded social events (`follow`, inbound `share`; abnormal ones left out) and
   * the social context of an answer now: the host's, joined with them ({@link mergeSocial}).
   * An unreadable store counts nothing recorded.
   */
  async socialNow(): Promise<{ recorded: RecordedSocial | undefined; context: SocialContext | undefined; now: number }> {
    const now = this.now();
    let recorded: RecordedSocial | undefined;
    try {
      // One query per type: a single-type query reads only that type's index range (IndexedDB's type_ts).
      const events = (await Promise.all(SOCIAL_EVENT_TYPES.map((t) => this.store.query({ types: [t] })))).flat();
      const snap = events.length ? (this.last ?? (await this.sync())) : undefined;
      recorded = recordedSocial(events, snap ? (e) => snap.isAbnormal(e.seq) : undefined);
    } catch {
      recorded = undefined;
    }
    return { recorded, context: mergeSocial(this.social, recorded, now, this.o.social), now };
  }

  private popularityOf(md: ModelData): Map<string, number> {
    let m = this.popularity.get(md);
    if (!m) {
      m = popularityTable(md.vocab, md.cold.popularItems, md.cold.popularScores);
      this.popularity.set(md, m);
    }
    return m;
  }

  /**
   * THE ranking step of every answer (`rankList` of `@localrec/insights`): blending (model score, profile
   * affinity, social proof) then the re-ranker. Only the items at `slots` (default: all) move,
   * among themselves. The list is remembered, to learn from its impression. `social`: the answer's
   * context ({@link socialNow}), read now when not given.
   */
  async rankItems(
    items: readonly ScoredItem[],
    md: ModelData,
    catalog: Readonly<Record<string, ItemMeta>>,
    slots?: readonly number[],
    social?: { context: SocialContext | undefined },
  ): Promise<ScoredItem[]> {
    const idx = slots ?? items.map((_, i) => i);
    if (idx.length < 1) return [...items];
    let snapshot: StreamSnapshot;
    try {
      snapshot = this.last ?? (await this.sync());
    } catch {
      return [...items]; // an unreadable store: the answer stays as the model gave it
    }
    const ctx = listFeatureContext({
      snapshot,
      catalog,
      social: (social ?? (await this.socialNow())).context,
      now: this.now(),
      popularity: this.popularityOf(md),
      ...(this.o.recencyHalfLifeMs !== undefined ? { recencyHalfLifeMs: this.o.recencyHalfLifeMs } : {}),
      ...(this.o.social?.entryWeight !== undefined ? { entryWeight: this.o.social.entryWeight } : {}),
    });
    const ranked = rankList(
      idx.map((i) => items[i]!),
      ctx,
      this.reranker,
      this.o.blendWeights,
    );
    this.served.push({ at: ctx.now, itemIds: ranked.items.map((i) => i.itemId), features: ranked.features });
    if (this.served.length > SERVED_LISTS) this.served.shift();
    const out = [...items];
    idx.forEach((slot, j) => {
      out[slot] = ranked.items[j]!;
    });
    return out;
  }

  /** The bundle's segments file, fetched once per model version and checked against the manifest. */
  private segmentsOf(md: ModelData, baseUrl: string): Promise<BundleSegments> {
    const key = `${baseUrl}|${md.version}`;
    let p = this.segmentFiles.get(key);
    if (!p) {
      p = this.loadSegments(md, baseUrl);
      this.segmentFiles.set(key, p);
      p.catch(() => this.segmentFiles.delete(key)); // a failure is retried on the next call
    }
    return p;
  }

  private async loadSegments(md: ModelData, baseUrl: string): Promise<BundleSegments> {
    const file = md.manifest.segmentsFile;
    const info = file ? md.manifest.files[file] : undefined;
    if (!file || !info) {
      throw new LocalRecError('NOT_READY', `The model bundle ${md.version} ships no interest segments (manifest.segmentsFile)`, {
        field: 'segmentsFile',
      });
    }
    const url = resolveUrl(file, 'segmentsFile', baseUrl);
    let bytes: Uint8Array;
    try {
      const fetchFn = this.deps.fetch ?? globalFetch();
      if (!fetchFn) throw new Error('there is no fetch here (pass deps.fetch)');
      const res = await fetchFn(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      throw new LocalRecError('MODEL_LOAD_FAILED', `Could not fetch ${url}: ${(e as Error).message}`, { cause: e });
    }
    const h = await sha256Hex(bytes);
    if (bytes.byteLength !== info.bytes || h !== info.sha256) {
      throw new LocalRecError(
        'MODEL_INTEGRITY',
        `${url}: SHA-256 ${h} (${bytes.byteLength} bytes) does not match manifest.json (${info.sha256}, ${info.bytes} bytes)`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(utf8Text(bytes));
    } catch (e) {
      throw new LocalRecError('BUNDLE_INVALID', `${url} is not valid JSON (${(e as Error).message})`);
    }
    return bundleSegments(json, md.vocab);
  }

  /** At most `maxSegments` (3) interest segments; consent `granted` only. See `getSegments` of `@localrec/insights`. */
  async segments(md: ModelData, baseUrl: string, consent: Consent, catalog: Readonly<Record<string, ItemMeta>>): Promise<SegmentsResult> {
    if (consent !== 'granted') {
      throw new LocalRecError('CONSENT_REQUIRED', `getSegments needs consent "granted", got ${JSON.stringify(consent)}`, {
        field: 'consent',
        accepted: ['granted'],
      });
    }
    const bundle = await this.segmentsOf(md, baseUrl);
    const snap = await this.sync();
    if (!this.salt) {
      const stored = await this.store.getMeta<string>(INSIGHTS_META.salt).catch(() => undefined);
      this.salt = typeof stored === 'string' && stored.length >= 16 ? stored : createSegmentSalt();
      if (stored !== this.salt) await this.store.setMeta(INSIGHTS_META.salt, this.salt).catch(() => undefined);
    }
    const previous = await this.store.getMeta<SegmentsResult>(INSIGHTS_META.segments).catch(() => undefined);
    const opts: Parameters<typeof getSegments>[2] = { consent, now: snap.now, salt: this.salt };
    if (previous) opts.previous = previous;
    if (this.o.segmentNoiseRate !== undefined) opts.noiseRate = this.o.segmentNoiseRate;
    if (this.o.maxSegments !== undefined) opts.maxSegments = this.o.maxSegments;
    const result = getSegments(snap.acc.profile(catalog, snap.now), bundle, opts);
    if (result !== previous) await this.store.setMeta(INSIGHTS_META.segments, result).catch(() => undefined);
    return result;
  }
}
