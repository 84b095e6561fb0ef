// The flush scheduler without a browser (Node: no window, no requestIdleCallback): timer only.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createFlushScheduler } from '../src/schedule.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createFlushScheduler', () => {
  test('many pokes arm one flush, after the interval; the next poke arms the next one', () => {
    const flush = vi.fn();
    const s = createFlushScheduler(flush, 250);
    for (let i = 0; i < 100; i++) s.poke();
    vi.advanceTimersByTime(249);
    expect(flush).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(flush).toHaveBeenCalledTimes(1);
    expect(flush).toHaveBeenLastCalledWith('timer');
    vi.advanceTimersByTime(10_000);
    expect(flush).toHaveBeenCalledTimes(1);
    s.poke();
    vi.advanceTimersByTime(250);
    expect(flush).toHaveBeenCalledTimes(2);
  });

  test('dispose cancels an armed flush', () => {
    const flush = vi.fn();
    const s = createFlushScheduler(flush, 100);
    s.poke();
    s.dispose();
    vi.advanceTimersByTime(1000);
    expect(flush).not.toHaveBeenCalled();
  });

  test('uses requestIdleCallback where it exists and reports why it fired', () => {
    const calls: Array<{ cb: (d: { didTimeout: boolean }) => void; timeout?: number }> = [];
    const g = globalThis as Record<string, unknown>;
    g.requestIdleCallback = (cb: (d: { didTimeout: boolean }) => void, o?: { timeout?: number }) => calls.push({ cb, timeout: o?.timeout });
    g.cancelIdleCallback = () => undefined;
    try {
      const flush = vi.fn();
      const s = createFlushScheduler(flush, 300);
      s.poke();
      s.poke();
      expect(calls).toHaveLength(1);
      expect(calls[0]!.timeout).toBe(300);
      calls[0]!.cb({ didTimeout: false });
      expect(flush).toHaveBeenLastCalledWith('idle');
      s.poke();
      calls[1]!.cb({ didTimeout: true });
      expect(flush).toHaveBeenLastCalledWith('timer');
    } finally {
      delete g.requestIdleCallback;
      delete g.cancelIdleCallback;
    }
  });
});
