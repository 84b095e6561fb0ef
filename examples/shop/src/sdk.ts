/**
 * The shop's only door to LocalRec: `window.LocalRec`, installed by the async snippet in
 * index.html and replaced by the SDK when `localrec.min.js` arrives. Calls made before that are
 * queued by the snippet; every result is awaited, so both forms work.
 */
import type { LocalRec, LocalRecApi, LocalRecConfigInput, TrackData } from '@localrec/sdk';

declare global {
  interface Window {
    LocalRec: LocalRecApi;
    /** Set once the shop has booted; resolves to the LocalRec instance (tests wait for it). */
    shopReady?: Promise<LocalRec | undefined>;
  }
}

/** The shop's LocalRec configuration: ask before remembering anything; record cards automatically. */
export const CONFIG: LocalRecConfigInput = {
  appId: 'demo-shop',
  requireConsent: true,
  consent: 'pending',
  autoCapture: true,
};

export const lr = (): LocalRecApi => window.LocalRec;

/** Records an event. Never throws: an invalid event is reported by the SDK and the page goes on. */
export function track(type: string, data: TrackData): void {
  void lr().track(type, data);
}
