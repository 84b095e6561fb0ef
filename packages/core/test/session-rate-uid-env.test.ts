import { afterEach, describe, expect, it, vi } from 'vitest';
import { detectCapabilities, overrideCapabilities } from '../src/env.js';
import { TokenBucket } from '../src/rate.js';
import { SessionTracker } from '../src/session.js';
import { createUid } from '../src/uid.js';

const MIN = 60_000;

describe('SessionTracker', () => {
  it('keeps the session while active and rotates after 30 min idle', () => {
    let k = 0;
    const s = new SessionTracker(30 * MIN, () => `s${k++}`);
    expect(s.touch(0)).toBe('s0');
    expect(s.touch(29 * MIN)).toBe('s0');
    expect(s.touch(58 * MIN)).toBe('s0'); // activity extends the session
    expect(s.touch(88 * MIN + 1)).toBe('s1');
    expect(s.current).toMatchObject({ id: 's1', startedAt: 88 * MIN + 1 });
  });

  it('adopts a live session from an earlier page, relabelling its own fresh one', () => {
    let k = 0;
    const s = new SessionTracker(30 * MIN, () => `new${k++}`);
    s.touch(100 * MIN);
    expect(s.adopt({ id: 'old', startedAt: 50 * MIN, lastActivity: 80 * MIN })).toBe('new0');
    expect(s.touch(101 * MIN)).toBe('old');
  });

  it('does not adopt an expired session', () => {
    const s = new SessionTracker(30 * MIN, () => 'new');
    s.touch(200 * MIN);
    expect(s.adopt({ id: 'old', startedAt: 0, lastActivity: 100 * MIN })).toBeUndefined();
    expect(s.touch(201 * MIN)).toBe('new');
  });

  it('continues a persisted session when nothing happened yet on this page', () => {
    const s = new SessionTracker(30 * MIN, () => 'new');
    s.adopt({ id: 'old', startedAt: 0, lastActivity: 10 * MIN });
    expect(s.touch(20 * MIN)).toBe('old');
    expect(s.touch(60 * MIN)).toBe('new');
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate, never above the burst', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 5 });
    for (let i = 0; i < 5; i++) expect(b.take(0)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.take(100)).toBe(true); // 0.1 s → 1 token
    expect(b.take(100)).toBe(false);
    for (let i = 0; i < 5; i++) expect(b.take(60_000)).toBe(true);
    expect(b.take(60_000)).toBe(false);
  });

  it('a clock going backwards grants nothing', () => {
    const b = new TokenBucket({ perSecond: 1000, burst: 1 });
    expect(b.take(1000)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.take(999)).toBe(false);
  });
});

describe('createUid and capability detection', () => {
  afterEach(() => overrideCapabilities(undefined));

  it('uids are 32 hex chars and unique, with and without crypto', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(createUid());
    overrideCapabilities({ randomValues: false });
    for (let i = 0; i < 2000; i++) seen.add(createUid());
    expect(seen.size).toBe(4000);
    for (const u of [...seen].slice(0, 10)) expect(u).toMatch(/^[0-9a-f]{32}$/);
  });

  it('detects once, caches a frozen result, and can be overridden', () => {
    const a = detectCapabilities();
    expect(Object.isFrozen(a)).toBe(true);
    expect(detectCapabilities()).toBe(a);
    expect(a.indexedDB).toBe(false); // plain Node
    expect(a.document).toBe(false);
    expect(a.randomValues).toBe(true);
    overrideCapabilities({ indexedDB: true });
    expect(detectCapabilities().indexedDB).toBe(true);
  });

  it('importing the core touches no global (detection happens on first call only)', async () => {
    const touched: string[] = [];
    const g = globalThis as Record<string, unknown>;
    const names = ['indexedDB', 'Worker', 'caches', 'BroadcastChannel', 'document'];
    for (const n of names) Object.defineProperty(g, n, { configurable: true, get: () => (touched.push(n), undefined) });
    try {
      vi.resetModules();
      const core = await import('../src/index.js');
      expect(typeof core.Recorder).toBe('function');
      expect(touched).toEqual([]);
    } finally {
      for (const n of names) delete g[n];
    }
  });
});
