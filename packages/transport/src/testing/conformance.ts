/**
 * The transport conformance suite: ONE set of tests that every {@link RuntimeTransport} adapter
 * must pass (in-thread, Comlink over a MessagePort, the mini-program worker endpoint, the real Web
 * Worker in Chromium), over whatever runtime the adapter serves — the real one, or
 * `createContractRuntime()` in Node. Written against vitest; call
 * {@link describeTransportConformance} from a test file of the adapter.
 *
 * It checks the link (every contract method reachable, errors keep `code`/`field`/`accepted`,
 * the call context crosses) and `connectTransport` over it (consent passed on, page history in
 * the degraded case, dispose, and — where the runtime can die — crash → WORKER_CRASHED → restart
 * with the current consent and the catalog sent so far).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalRecError, MemoryEventStore, type Consent } from '@localrec/core';
import { RUNTIME_METHODS, type ConnectContext, type ConnectedRuntime, type RuntimeApi, type RuntimeOptions } from '@localrec/contract';
import { connectTransport } from '../connect.js';
import type { RuntimeTransport, TransportLink } from '../transport.js';

/** How the suite makes (and breaks) transports of one adapter. */
export interface TransportConformanceOptions {
  /** Adapter name, shown in the test names. */
  name: string;
  /** Makes the transport under test (the suite closes every link it opened). */
  makeTransport(): RuntimeTransport | Promise<RuntimeTransport>;
  /** Runtime options for `init` (without `appId`/`consent`), e.g. a model the runtime can load. */
  init: Omit<RuntimeOptions, 'appId' | 'consent'>;
  /**
   * Makes the runtime behind `link` stop as a crash would (terminate the worker, kill the port),
   * without `link.close()`. Omitted where a runtime cannot stop apart from its caller (in-thread):
   * the crash tests are skipped, and reported as skipped.
   */
  crash?: (link: TransportLink) => void | Promise<void>;
  /**
   * The boundary copies messages as JSON (a wx worker), not with the structured clone: a typed
   * array arrives as a plain object, so `scoreRows`' `Float32Array` is checked only for its length.
   */
  jsonMessages?: boolean;
  /** Per-test timeout in ms (default vitest's). */
  timeoutMs?: number;
}

/** One call as the runtime behind a link was asked it. */
interface Asked {
  method: string;
  args: unknown[];
}

/** The transport, with each opened link recorded and each call through it logged. */
function spied(transport: RuntimeTransport): { transport: RuntimeTransport; links: Array<{ link: TransportLink; asked: Asked[] }> } {
  const links: Array<{ link: TransportLink; asked: Asked[] }> = [];
  return {
    links,
    transport: {
      kind: transport.kind,
      async open() {
        const link = await transport.open();
        const asked: Asked[] = [];
        const api: Record<string, unknown> = {};
        for (const m of RUNTIME_METHODS) {
          api[m] = (...args: unknown[]) => {
            asked.push({ method: m, args });
            return (link.api[m] as (...a: unknown[]) => Promise<unknown>)(...args);
          };
        }
        const wrapped: TransportLink = { api: api as unknown as RuntimeApi, lost: link.lost, close: () => link.close() };
        links.push({ link: wrapped, asked });
        return wrapped;
      },
    },
  };
}

/** A connect context whose consent and store the test changes, as the SDK's live getters do. */
function context(): ConnectContext & { consent: Consent; store?: MemoryEventStore } {
  return { appId: `conformance-${Math.random().toString(36).slice(2, 8)}`, consent: 'granted' };
}

/** The outcome of `p` as data: its value or its error's name/code/field/accepted/message. */
async function settle(
  p: Promise<unknown>,
): Promise<
  | { ok: unknown }
  | { error: { name: string; code?: string; field?: string; accepted?: readonly string[]; message: string; instance: boolean } }
> {
  try {
    return { ok: await p };
  } catch (e) {
    const err = e as LocalRecError;
    return {
      error: {
        name: err.name,
        code: err.code,
        field: err.field,
        accepted: err.accepted,
        message: err.message,
        instance: e instanceof LocalRecError,
      },
    };
  }
}

/**
 * Declares the conformance tests for one transport adapter.
 * @example describeTransportConformance({ name: 'in-thread', makeTransport: () => inThreadTransport(() => createContractRuntime()), init: { modelUrl: '/m/' } });
 */
export function describeTransportConformance(opts: TransportConformanceOptions): void {
  const opened: TransportLink[] = [];
  const recommenders: ConnectedRuntime[] = [];
  const open = async (t?: RuntimeTransport): Promise<TransportLink> => {
    const link = await (t ?? (await opts.makeTransport())).open();
    opened.push(link);
    return link;
  };
  const connect = async (
    ctx: ConnectContext,
  ): Promise<{ rec: ConnectedRuntime; links: ReturnType<typeof spied>['links']; kind: string }> => {
    const s = spied(await opts.makeTransport());
    const rec = await connectTransport(s.transport, ctx, { init: opts.init });
    recommenders.push(rec);
    for (const l of s.links) opened.push(l.link);
    return { rec, links: s.links, kind: s.transport.kind };
  };
  const timeout = opts.timeoutMs;

  describe(`RuntimeTransport conformance: ${opts.name}`, () => {
    afterEach(async () => {
      for (const r of recommenders.splice(0)) await r.dispose().catch(() => undefined);
      for (const l of opened.splice(0)) l.close();
    });

    it('links to a runtime on which every contract method is reachable', { timeout }, async () => {
      const link = await open();
      const { api } = link;
      await api.init({ ...opts.init, appId: context().appId, consent: 'granted' });
      const ready = await api.ready();
      expect(ready.ready).toBe(true);
      expect((await api.status()).ready).toBe(true);
      for (const r of [
        await api.recommend({ k: 3 }),
        await api.similar('conformance-unknown-item', { k: 3 }),
        await api.rank(['c-1', 'c-2'], {}),
        await api.frequentlyBoughtTogether(['c-1', 'c-2'], { k: 3 }),
        await api.trending({ k: 3 }),
        await api.forSearch('conformance query', { k: 3 }),
      ]) {
        expect(Array.isArray(r.items)).toBe(true);
        expect(['model', 'fallback']).toContain(r.source);
        expect(typeof r.tookMs).toBe('number');
      }
      // A list answer carries its cursor (plain data across the boundary); next continues it at
      // page 1, repeating none of page 0's items, and carries the cursor of both pages.
      const first = await api.recommend({ k: 3, exclude: ['c-9'] });
      expect(first.list).toMatchObject({ method: 'recommend', args: [], options: { k: 3, exclude: ['c-9'] }, page: 0 });
      const further = await api.next(first);
      expect(further.list).toMatchObject({ method: 'recommend', options: { k: 3, exclude: ['c-9'] }, page: 1 });
      expect(further.items.filter((i) => first.list!.returned.includes(i.itemId))).toEqual([]);
      expect(further.list!.returned).toEqual([...first.list!.returned, ...further.items.map((i) => i.itemId)]);
      const search = await api.forSearch('conformance query', { k: 2 });
      expect((await api.next({ list: search.list })).list).toMatchObject({ method: 'forSearch', args: [search.list!.args[0]], page: 1 });
      // The history scenarios: the conformance store holds no events, so both are the cold start.
      for (const r of [await api.recentlyViewed({ k: 3 }), await api.buyAgain({ k: 3 })]) {
        expect(r).toMatchObject({ items: [], source: 'fallback', fallbackReason: 'no-history' });
        expect(typeof r.tookMs).toBe('number');
      }
      expect(await api.trendingFacets('category')).toMatchObject({ attribute: 'category', values: expect.any(Array) });
      // Unknown candidates keep their slots.
      expect((await api.rank(['c-1', 'c-2'], {})).items.map((i) => i.itemId)).toEqual(['c-1', 'c-2']);
      const scores = await api.scoreRows([[1, 2]]);
      expect(scores).toHaveLength(1);
      if (opts.jsonMessages) expect(Object.keys(scores[0]!).length).toBeGreaterThan(0);
      else expect(scores[0]).toBeInstanceOf(Float32Array);
      await expect(api.setCatalog({ 'c-1': { name: 'One', category: 'Test' } })).resolves.toBeUndefined();
      expect(await api.getProfile()).toMatchObject({ excludedEvents: expect.any(Number), feedback: expect.any(Object) });
      expect(await api.setSocialContext({ items: { 'c-1': { friendsLiked: 2 } } })).toMatchObject({
        items: 1,
        expiresAt: expect.any(Number),
      });
      expect(await api.setSocialContext(null)).toBeNull();
      expect(await api.getSegments()).toMatchObject({ segments: expect.any(Array) });
      await expect(api.setConsent('denied')).resolves.toBeUndefined();
      await expect(api.dispose()).resolves.toBeUndefined();
      // Every method of the contract was called above: a new method needs a line here.
      const called = [
        'init',
        'ready',
        'status',
        'recommend',
        'similar',
        'rank',
        'recentlyViewed',
        'buyAgain',
        'frequentlyBoughtTogether',
        'trending',
        'forSearch',
        'next',
        'trendingFacets',
        'scoreRows',
        'setCatalog',
        'getProfile',
        'setSocialContext',
        'getSegments',
        'setConsent',
        'dispose',
      ];
      expect([...called].sort()).toEqual([...RUNTIME_METHODS].sort());
      link.close();
      link.close(); // idempotent
    });

    it('keeps error codes, fields and accepted values across the boundary; the call context crosses', { timeout }, async () => {
      const { api } = await open();
      await api.init({ ...opts.init, appId: context().appId, consent: 'denied' });
      const profile = await settle(api.getProfile());
      expect(profile).toEqual({
        error: expect.objectContaining({
          name: 'LocalRecError',
          code: 'CONSENT_REQUIRED',
          field: 'consent',
          accepted: ['granted'],
          instance: true,
        }),
      });
      expect(await settle(api.getSegments())).toEqual({ error: expect.objectContaining({ code: 'CONSENT_REQUIRED', field: 'consent' }) });
      const social = await settle(api.setSocialContext({ items: 5 } as never));
      expect(social).toEqual({ error: expect.objectContaining({ code: 'INVALID_ARGUMENT', field: expect.any(String), instance: true }) });
      // An answer that is not a page of a list (rank's, none at all) and an empty query are refused, naming the field.
      expect(await settle(api.next({ items: [] } as never))).toEqual({
        error: expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'list', instance: true }),
      });
      expect(await settle(api.next(await api.rank(['c-1'], {})))).toEqual({
        error: expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'list', instance: true }),
      });
      expect(await settle(api.forSearch('  '))).toEqual({
        error: expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'query', instance: true }),
      });
      // A malformed page history is refused by the runtime: it crossed with the call.
      await api.setConsent('granted');
      const bad = await settle(api.recommend({}, { history: { sequence: [{ itemId: 3 }], purchased: [] } as never }));
      expect(bad).toEqual({ error: expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'history.sequence' }) });
      await expect(api.dispose()).resolves.toBeUndefined();
    });

    it(
      'connectTransport: every method answers, status names the transport, consent changes are passed on before the next call',
      { timeout },
      async () => {
        const ctx = context();
        const { rec, links, kind } = await connect(ctx);
        expect(links).toHaveLength(1);
        const asked = links[0]!.asked;
        expect(asked[0]).toMatchObject({
          method: 'init',
          args: [expect.objectContaining({ ...opts.init, appId: ctx.appId, consent: 'granted' }), undefined],
        });
        expect(await rec.status()).toMatchObject({ runtime: kind });
        expect((await rec.ready()).ready).toBe(true);
        await rec.recommend({ k: 2 });
        await rec.similar('c-1', { k: 2 });
        expect((await rec.rank(['c-1', 'c-2'], {})).items.map((i) => i.itemId)).toEqual(['c-1', 'c-2']);
        expect(await rec.scoreRows([[1]])).toHaveLength(1);
        await rec.setCatalog({ 'c-1': { name: 'One' } });
        await rec.getProfile();
        await rec.getSegments();
        await rec.setSocialContext(null);
        expect(asked.some((a) => a.method === 'setConsent')).toBe(false);
        ctx.consent = 'denied';
        expect(await settle(rec.getProfile())).toEqual({ error: expect.objectContaining({ code: 'CONSENT_REQUIRED', instance: true }) });
        const denied = asked.findIndex((a) => a.method === 'setConsent');
        expect(asked[denied]).toEqual({ method: 'setConsent', args: ['denied'] });
        expect(asked[denied + 1]?.method).toBe('getProfile');
        ctx.consent = 'granted';
        await rec.recommend({ k: 2 });
        expect(asked.filter((a) => a.method === 'setConsent').map((a) => a.args[0])).toEqual(['denied', 'granted']);
        // The runtime read its own store: no history was passed.
        expect(asked.filter((a) => a.method === 'recommend').every((a) => a.args[1] === undefined)).toBe(true);
      },
    );

    it(
      'connectTransport: in the degraded case (the SDK records in memory) the history read on the page goes with the call',
      { timeout },
      async () => {
        const ctx = context();
        ctx.store = new MemoryEventStore();
        await ctx.store.append(
          [1, 2].map((i) => ({ uid: `cf-${i}`, type: 'view' as const, ts: 1000 + i, sessionId: 's', itemId: `c-${i}`, data: {} })),
        );
        const { rec, links } = await connect(ctx);
        await rec.next(await rec.recommend({ k: 2 }));
        await rec.rank(['c-3'], {});
        await rec.forSearch('c', { k: 2 });
        const calls = links[0]!.asked.filter((a) => ['recommend', 'rank', 'next', 'forSearch'].includes(a.method));
        expect(calls.map((c) => c.method)).toEqual(['recommend', 'next', 'rank', 'forSearch']);
        for (const c of calls) {
          expect(c.args[c.args.length - 1]).toMatchObject({ history: { sequence: [{ itemId: 'c-1' }, { itemId: 'c-2' }], purchased: [] } });
        }
        ctx.consent = 'pending'; // no history without consent
        await rec.similar('c-1', {});
        expect(links[0]!.asked.at(-1)).toMatchObject({ method: 'similar', args: ['c-1', {}, undefined] });
      },
    );

    it('connectTransport: dispose releases the runtime; later calls reject with NOT_READY', { timeout }, async () => {
      const { rec, links } = await connect(context());
      await rec.dispose();
      expect(links[0]!.asked.at(-1)?.method).toBe('dispose');
      expect(await settle(rec.recommend({}))).toEqual({
        error: expect.objectContaining({ code: 'NOT_READY', message: expect.stringMatching(/disposed/) }),
      });
      await rec.dispose(); // idempotent
      expect(links).toHaveLength(1);
    });

    const crash = opts.crash;
    it.skipIf(!crash)(
      'connectTransport: a crash rejects the call in flight with WORKER_CRASHED, and the next call starts a new runtime (current consent, catalog re-sent)',
      { timeout },
      async () => {
        const ctx = context();
        const { rec, links } = await connect(ctx);
        await rec.setCatalog({ 'c-1': { name: 'One' } });
        await rec.setCatalog({ 'c-2': { name: 'Two' } });
        ctx.consent = 'pending';
        await rec.similar('c-1', {}); // consent passed on to the first runtime
        // Restart the load: the first call of a fresh runtime, pending while it loads.
        const inflight = settle(rec.ready());
        await crash!(links[0]!.link);
        const out = await inflight;
        expect(out).toEqual({ error: expect.objectContaining({ name: 'LocalRecError', code: 'WORKER_CRASHED', instance: true }) });
        expect((out as { error: { message: string } }).error.message).toMatch(
          /stopped .* before ready\(\) answered.*next call starts a new/,
        );
        // The next call starts a new runtime, with the current consent and the whole catalog.
        expect(await rec.status()).toMatchObject({ runtime: expect.any(String) });
        expect(links).toHaveLength(2);
        const second = links[1]!.asked;
        expect(second[0]).toMatchObject({
          method: 'init',
          args: [expect.objectContaining({ appId: ctx.appId, consent: 'pending' }), undefined],
        });
        expect(second[1]).toEqual({ method: 'setCatalog', args: [{ 'c-1': { name: 'One' }, 'c-2': { name: 'Two' } }] });
        ctx.consent = 'granted';
        expect((await rec.rank(['c-2', 'c-1'], {})).items.map((i) => i.itemId)).toEqual(['c-2', 'c-1']);
        await rec.dispose();
        expect(second.at(-1)?.method).toBe('dispose');
      },
    );
  });
}
