import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, resolveConfig } from '../src/config.js';
import { LocalRecError } from '../src/errors.js';

describe('resolveConfig', () => {
  it('fills in the documented defaults', () => {
    const c = resolveConfig({ appId: 'shop' });
    expect(c).toEqual({
      appId: 'shop',
      consent: 'granted',
      requireConsent: false,
      retentionDays: 30,
      retentionMs: 30 * 24 * 3600 * 1000,
      maxEvents: 20_000,
      sessionIdleMs: 30 * 60 * 1000,
      rateLimit: { perSecond: 50, burst: 500 },
      flushIntervalMs: 1000,
      batchSize: 500,
      queueLimit: 5000,
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(DEFAULT_CONFIG.maxEvents).toBe(20_000);
  });

  it('requireConsent defaults consent to pending; explicit values win', () => {
    expect(resolveConfig({ appId: 'a', requireConsent: true }).consent).toBe('pending');
    expect(resolveConfig({ appId: 'a', requireConsent: true, consent: 'granted' }).consent).toBe('granted');
    expect(resolveConfig({ appId: 'a', consent: 'denied' }).consent).toBe('denied');
    expect(resolveConfig({ appId: 'a', rateLimit: false }).rateLimit).toBe(false);
    expect(resolveConfig({ appId: 'a', rateLimit: { perSecond: 5, burst: 10 } }).rateLimit).toEqual({ perSecond: 5, burst: 10 });
  });

  it('ignores options it does not own (front ends add theirs)', () => {
    expect(resolveConfig({ appId: 'a', strict: true, onError: () => undefined } as never).appId).toBe('a');
  });

  it.each([
    [{}, 'appId'],
    [{ appId: '' }, 'appId'],
    [{ appId: 'has space' }, 'appId'],
    [{ appId: 'a', consent: 'yes' }, 'consent'],
    [{ appId: 'a', requireConsent: 'true' }, 'requireConsent'],
    [{ appId: 'a', retentionDays: 0 }, 'retentionDays'],
    [{ appId: 'a', retentionDays: Number.NaN }, 'retentionDays'],
    [{ appId: 'a', maxEvents: 1.5 }, 'maxEvents'],
    [{ appId: 'a', maxEvents: -1 }, 'maxEvents'],
    [{ appId: 'a', sessionIdleMs: 10 }, 'sessionIdleMs'],
    [{ appId: 'a', flushIntervalMs: Infinity }, 'flushIntervalMs'],
    [{ appId: 'a', batchSize: 0 }, 'batchSize'],
    [{ appId: 'a', queueLimit: '5' }, 'queueLimit'],
    [{ appId: 'a', rateLimit: true }, 'rateLimit'],
    [{ appId: 'a', rateLimit: { perSecond: -1 } }, 'rateLimit.perSecond'],
  ])('%j → INVALID_CONFIG naming %s', (input, field) => {
    let err: unknown;
    try {
      resolveConfig(input as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LocalRecError);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', field });
    expect((err as LocalRecError).accepted?.length).toBeGreaterThan(0);
    expect((err as LocalRecError).message).toContain(`config.${field}`);
  });

  it('consent errors list the accepted values', () => {
    expect(() => resolveConfig({ appId: 'a', consent: 'maybe' as never })).toThrow(
      expect.objectContaining({ accepted: ['granted', 'denied', 'pending'], message: expect.stringContaining('"maybe"') }),
    );
  });

  it('property: any input either resolves or throws INVALID_CONFIG (10,000 cases)', () => {
    const value = fc.oneof(fc.anything(), fc.double(), fc.integer(), fc.constant(Number.NaN), fc.boolean(), fc.string());
    const input = fc.oneof(
      fc.anything(),
      fc.record(
        {
          appId: fc.oneof(fc.string(), fc.constant('shop')),
          consent: fc.oneof(fc.constantFrom('granted', 'denied', 'pending'), value),
          requireConsent: value,
          retentionDays: value,
          maxEvents: value,
          sessionIdleMs: value,
          rateLimit: fc.oneof(value, fc.record({ perSecond: value, burst: value })),
          flushIntervalMs: value,
          batchSize: value,
          queueLimit: value,
          __proto__: value,
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(input, (cfg) => {
        try {
          const c = resolveConfig(cfg as never);
          expect(c.maxEvents).toBeGreaterThanOrEqual(1);
          expect(Number.isFinite(c.retentionMs)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRecError);
          expect((e as LocalRecError).code).toBe('INVALID_CONFIG');
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
