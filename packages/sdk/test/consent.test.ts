// Consent per purpose, Global Privacy Control, and the consent-platform mappings (TCF v2.2, Consent
// Mode), in Node against the core's MemoryEventStore and a stand-in runtime. The adapters on real
// pages, with stand-in CMPs, are tested in Chromium (test/e2e/consent-cmp.test.ts).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { MemoryEventStore, type RecommendResult } from '@localrec/core';
import {
  DEFAULT_PURPOSES,
  TCF_PURPOSES,
  createLocalRec,
  fromConsentMode,
  fromTcf,
  listenConsentMode,
  listenTcf,
  type RecommenderApi,
  type RuntimeConnector,
  type TcfApi,
  type TcfData,
} from '../src/index.js';

const modelAnswer: RecommendResult = {
  items: [{ itemId: 'X', score: 1, source: 'model', reason: { kind: 'popular', text: 'x' } }],
  source: 'model',
  tookMs: 0,
};

/** A runtime that answers from the "model" and has the insights calls, counting what it is asked. */
function runtime(): { connector: RuntimeConnector; asked: string[] } {
  const asked: string[] = [];
  const api = {
    status: async () => ({ ready: true }),
    recommend: async () => (asked.push('recommend'), modelAnswer),
    similar: async () => (asked.push('similar'), modelAnswer),
    rank: async () => (asked.push('rank'), modelAnswer),
    getSegments: async () => (asked.push('getSegments'), { segments: [], week: '2026-W49' }),
    getProfile: async () => (asked.push('getProfile'), {}),
  } as unknown as RecommenderApi;
  return { connector: { kind: 'stand-in', connect: async () => api }, asked };
}

function setGpc(on: boolean | undefined): void {
  vi.stubGlobal('navigator', on === undefined ? {} : { globalPrivacyControl: on });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('purposes', () => {
  test('default: both on with consent granted; documented in DEFAULT_PURPOSES', async () => {
    const rt = runtime();
    const rec = createLocalRec({ appId: 'p1', consent: 'granted', store: new MemoryEventStore(), runtime: rt.connector });
    expect(DEFAULT_PURPOSES).toEqual({ personalisation: true, segments: true });
    expect(rec.purposes).toEqual({ personalisation: true, segments: true });
    expect((await rec.recommend()).source).toBe('model');
    await rec.getSegments();
    expect(rt.asked).toEqual(['recommend', 'getSegments']);
    await rec.destroy();
  });

  test('personalisation off: recording goes on, the history feeds nothing (no-consent answers, no runtime call)', async () => {
    const rt = runtime();
    const rec = createLocalRec({
      appId: 'p2',
      consent: 'granted',
      purposes: { personalisation: false },
      store: new MemoryEventStore(),
      runtime: rt.connector,
    });
    rec.track('view', { itemId: 'A' });
    await rec.flush();
    expect((await rec.exportData()).events).toHaveLength(1);
    expect(await rec.recommend()).toMatchObject({ items: [], fallbackReason: 'no-consent' });
    expect((await rec.rank(['B', 'C'])).items.map((i) => i.itemId)).toEqual(['B', 'C']);
    await expect(rec.getProfile()).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect(rt.asked).toEqual([]);
    rec.setConsent('granted', { personalisation: true });
    expect((await rec.recommend()).source).toBe('model');
    expect(rec.purposes).toEqual({ personalisation: true, segments: true });
    await rec.destroy();
  });

  test('segments off: getSegments() throws CONSENT_REQUIRED naming the purpose; recommendations unaffected', async () => {
    const rt = runtime();
    const rec = createLocalRec({ appId: 'p3', consent: 'granted', store: new MemoryEventStore(), runtime: rt.connector });
    rec.setConsent('granted', { segments: false });
    await expect(rec.getSegments()).rejects.toMatchObject({ code: 'CONSENT_REQUIRED', field: 'purposes.segments' });
    expect((await rec.recommend()).source).toBe('model');
    expect(rt.asked).toEqual(['recommend']);
    await rec.destroy();
  });

  test('Global Privacy Control counts as segments: false, whatever the host set; nothing else changes', async () => {
    const rt = runtime();
    setGpc(true);
    const rec = createLocalRec({ appId: 'p4', consent: 'granted', store: new MemoryEventStore(), runtime: rt.connector });
    expect(rec.purposes).toEqual({ personalisation: true, segments: false });
    rec.setConsent('granted', { segments: true });
    await expect(rec.getSegments()).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect((await rec.recommend()).source).toBe('model');
    setGpc(false);
    expect(rec.purposes.segments).toBe(true);
    await rec.getSegments();
    expect(rt.asked).toEqual(['recommend', 'getSegments']);
    await rec.destroy();
  });

  test('bad purposes: INVALID_CONFIG at creation, INVALID_ARGUMENT in setConsent (nothing changes), naming key and accepted ones', async () => {
    const make = (purposes: unknown) => () => createLocalRec({ appId: 'p5', store: new MemoryEventStore(), purposes: purposes as never });
    expect(make({ ads: true })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', field: 'config.purposes' }));
    expect(make({ ads: true })).toThrow(/unknown purpose "ads".*personalisation, segments/);
    expect(make({ segments: 'yes' })).toThrow(/segments must be a boolean; got string/);
    expect(make('all')).toThrow(/must be an object; got string/);
    expect(make(null)).toThrow(/must be an object/);
    const rec = createLocalRec({ appId: 'p5', consent: 'pending', store: new MemoryEventStore(), strict: true });
    expect(() => rec.setConsent('granted', { segments: 1 } as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    // Neither the consent nor the purposes changed.
    expect(rec.consent).toBe('pending');
    expect(rec.purposes).toEqual({ personalisation: true, segments: true });
    await rec.destroy();
  });
});

describe('TCF v2.2', () => {
  const tc = (consents: Record<number, boolean>, eventStatus = 'useractioncomplete'): TcfData => ({
    gdprApplies: true,
    eventStatus,
    purpose: { consents },
  });

  test('the mapping: Purpose 1 stores, 5+6 personalise, 3+4 allow segments; no decision yet → undefined', () => {
    expect(TCF_PURPOSES).toEqual({ storage: [1], personalisation: [5, 6], segments: [3, 4] });
    expect(fromTcf(tc({ 1: true, 3: true, 4: true, 5: true, 6: true }))).toEqual({
      consent: 'granted',
      purposes: { personalisation: true, segments: true },
    });
    expect(fromTcf(tc({ 1: true, 5: true }))).toEqual({ consent: 'granted', purposes: { personalisation: false, segments: false } });
    expect(fromTcf(tc({ 5: true, 6: true }))).toEqual({ consent: 'denied', purposes: { personalisation: true, segments: false } });
    expect(fromTcf(tc({}, 'tcloaded'))).toMatchObject({ consent: 'denied' });
    expect(fromTcf(tc({ 1: true }, 'cmpuishown'))).toBeUndefined();
    expect(fromTcf({ eventStatus: 'tcloaded' })).toMatchObject({ consent: 'denied' });
    expect(fromTcf({ gdprApplies: false })).toEqual({ consent: 'granted', purposes: { personalisation: true, segments: true } });
    expect(fromTcf(tc({ 1: true, 9: true }), { storage: [1], personalisation: [9], segments: [] })).toEqual({
      consent: 'granted',
      purposes: { personalisation: true, segments: true },
    });
    expect(fromTcf(undefined as never)).toBeUndefined();
  });

  test('listenTcf applies the current signal and every change, and stops with removeEventListener', () => {
    const listeners = new Map<number, (d: TcfData, ok: boolean) => void>();
    const removed: number[] = [];
    const api: TcfApi = (command, _v, cb, param) => {
      if (command === 'addEventListener') {
        const id = listeners.size + 1;
        listeners.set(id, cb);
        cb({ ...tc({}, 'cmpuishown'), listenerId: id }, true);
      }
      if (command === 'removeEventListener') removed.push(param as number);
    };
    const calls: unknown[][] = [];
    const stop = listenTcf({ setConsent: (...a) => calls.push(a) }, { api });
    expect(calls).toEqual([]);
    listeners.get(1)!({ ...tc({ 1: true, 5: true, 6: true }), listenerId: 1 }, true);
    listeners.get(1)!({ ...tc({ 1: true }), listenerId: 1 }, false); // failed call: ignored
    listeners.get(1)!({ ...tc({ 5: true }), listenerId: 1 }, true);
    expect(calls).toEqual([
      ['granted', { personalisation: true, segments: false }, 'tcf'],
      ['denied', { personalisation: false, segments: false }, 'tcf'],
    ]);
    stop();
    expect(removed).toEqual([1]);
    listeners.get(1)!({ ...tc({ 1: true }), listenerId: 1 }, true);
    expect(calls).toHaveLength(2);
  });

  test('no __tcfapi on the page: a no-op', () => {
    const calls: unknown[] = [];
    expect(() => listenTcf({ setConsent: (...a) => calls.push(a) })()).not.toThrow();
    expect(calls).toEqual([]);
  });
});

describe('Consent Mode', () => {
  test('the mapping: personalization_storage is the consent and personalisation; ad_user_data + ad_personalization allow segments', () => {
    expect(fromConsentMode({ personalization_storage: 'granted', ad_user_data: 'granted', ad_personalization: 'granted' })).toEqual({
      consent: 'granted',
      purposes: { personalisation: true, segments: true },
    });
    expect(fromConsentMode({ personalization_storage: 'granted', ad_user_data: 'granted' })).toEqual({
      consent: 'granted',
      purposes: { personalisation: true, segments: false },
    });
    expect(fromConsentMode({ personalization_storage: 'denied', ad_user_data: 'granted', ad_personalization: 'granted' })).toEqual({
      consent: 'denied',
      purposes: { personalisation: false, segments: true },
    });
    expect(fromConsentMode({ ad_storage: 'granted' })).toBeUndefined();
    expect(fromConsentMode({ personalization_storage: 'maybe' })).toBeUndefined();
  });

  test('listenConsentMode reads the dataLayer in order, then every gtag consent call, until stopped', () => {
    const dataLayer: unknown[] = [];
    // gtag() pushes its `arguments` object, not an array.
    function gtag(..._args: unknown[]): void {
      // eslint-disable-next-line prefer-rest-params -- exactly what gtag.js does
      dataLayer.push(arguments);
    }
    gtag('consent', 'default', { personalization_storage: 'denied', ad_user_data: 'denied' });
    gtag('js', new Date());
    gtag('consent', 'update', { personalization_storage: 'granted' });
    const calls: unknown[][] = [];
    const stop = listenConsentMode({ setConsent: (...a) => calls.push(a) }, { dataLayer });
    expect(calls).toEqual([['granted', { personalisation: true, segments: false }, 'consent-mode']]);
    gtag('consent', 'update', { ad_user_data: 'granted', ad_personalization: 'granted' });
    gtag('consent', 'update', { ad_user_data: 'granted' }); // no change: not applied again
    gtag('event', 'page_view');
    expect(calls).toEqual([
      ['granted', { personalisation: true, segments: false }, 'consent-mode'],
      ['granted', { personalisation: true, segments: true }, 'consent-mode'],
    ]);
    stop();
    gtag('consent', 'update', { personalization_storage: 'denied' });
    expect(calls).toHaveLength(2);
    expect(dataLayer).toHaveLength(7);
  });
});
