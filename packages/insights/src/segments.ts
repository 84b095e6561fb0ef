/**
 * Interest segments for the host, in the spirit of the browser Topics API — the ONE documented
 * exception to "nothing leaves the device". The SDK never sends them anywhere itself; it hands them
 * to the host page, which decides.
 *
 * Segments are k-means clusters of the model's item embeddings, computed at training time and
 * shipped in the bundle (`segments.json`: labels and the segment of every item). On the device:
 * - the shopper's item affinities are summed per segment and the top ones taken — at most 3;
 * - per call there is a 5 % chance that one of them is replaced by (or, with none, is) a uniformly
 *   random segment, so no single answer proves an interest (plausible deniability);
 * - the answer is stable for a week: every random choice is derived from the week number and a
 *   device-local random salt (which also shifts the week boundary per device), and a cached answer
 *   for the same week is returned unchanged, so asking repeatedly reveals nothing more;
 * - nothing is returned without consent.
 */
import { LocalRecError } from '@localrec/core';
import { preview, randomSource } from '@localrec/core/internal';
import type { Profile } from './profile.js';

/** What the bundle provides. */
export interface BundleSegments {
  /** Segment labels by id (0-based). */
  labels: readonly string[];
  /** The segment of an item id, or undefined for unknown items. */
  segmentOf(itemId: string): number | undefined;
}

/** One segment as the host sees it. */
export interface Segment {
  id: number;
  label: string;
}

export interface SegmentsResult {
  /** Week number (per-device offset applied) the answer belongs to. */
  week: number;
  /** Fingerprint of the salt the answer was drawn with (not the salt itself). */
  saltTag: string;
  /** At most `maxSegments`, strongest first (a noise segment takes a random position). */
  segments: Segment[];
}

export interface GetSegmentsOptions {
  /** Only `true` / `'granted'` allows an answer. */
  consent: boolean | 'granted' | 'denied' | 'pending';
  now: number;
  /** The device-local random salt ({@link createSegmentSalt}), kept in local storage, deleted by `forgetMe()`. */
  salt: string;
  /** This device's previous answer: returned unchanged when it is for the same week and salt. */
  previous?: SegmentsResult;
  /** Chance per call of a random segment. Default 0.05. */
  noiseRate?: number;
  /** Default 3. */
  maxSegments?: number;
}

const WEEK_MS = 7 * 86_400_000;

/** Reads a bundle's `segments.json` with its vocabulary (row r ↔ `vocab[r - 1]`). Throws BUNDLE_INVALID on a bad file. */
export function bundleSegments(file: unknown, vocab: readonly string[]): BundleSegments {
  const f = file as { segments?: { id?: unknown; label?: unknown }[]; itemSegments?: unknown };
  if (typeof f !== 'object' || f === null || !Array.isArray(f.segments) || !Array.isArray(f.itemSegments)) {
    throw new LocalRecError('BUNDLE_INVALID', 'segments.json must have "segments" and "itemSegments" arrays', { field: 'segments.json' });
  }
  const labels = f.segments.map((s, i) => {
    if (s?.id !== i || typeof s.label !== 'string') {
      throw new LocalRecError('BUNDLE_INVALID', `segments.json segments[${i}] must be { id: ${i}, label: string }`, {
        field: `segments[${i}]`,
      });
    }
    return s.label;
  });
  const rows = f.itemSegments as unknown[];
  if (rows.length !== vocab.length + 1) {
    throw new LocalRecError(
      'BUNDLE_INVALID',
      `segments.json itemSegments has ${rows.length} entries, expected vocab length + 1 = ${vocab.length + 1}`,
      { field: 'itemSegments' },
    );
  }
  const map = new Map<string, number>();
  vocab.forEach((id, i) => {
    const s = rows[i + 1];
    if (typeof s === 'number' && Number.isInteger(s) && s >= 0 && s < labels.length) map.set(id, s);
  });
  return { labels, segmentOf: (id) => map.get(id) };
}

/** Interest per segment: the sum of the profile's item affinities by the items' segments. */
export function segmentScores(profile: Pick<Profile, 'items'>, bundle: BundleSegments): number[] {
  const scores = new Array<number>(bundle.labels.length).fill(0);
  for (const a of profile.items) {
    const s = bundle.segmentOf(a.key);
    if (s !== undefined) scores[s]! += a.score;
  }
  return scores;
}

/** A new device-local salt: 128 random bits as hex, from `crypto.getRandomValues` (or `random` when given). */
export function createSegmentSalt(random?: () => number): string {
  const bytes = new Uint8Array(16);
  if (random) for (let i = 0; i < 16; i++) bytes[i] = Math.floor(random() * 256) & 255;
  else {
    const crypto = randomSource();
    if (!crypto) throw new LocalRecError('INTERNAL', 'createSegmentSalt: no crypto.getRandomValues; pass a random source');
    crypto.getRandomValues(bytes);
  }
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** cyrb53 string hash (53 bits), for deriving seeds. */
function hash53(str: string): number {
  let h1 = 0xdeadbeef,
    h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** mulberry32 seeded from a string. */
function stream(seed: string): () => number {
  let s = hash53(seed) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The week `now` falls in for this device (the boundary is shifted by a salt-derived offset). */
export function segmentWeek(now: number, salt: string): number {
  const offset = hash53(`offset/${salt}`) % WEEK_MS;
  return Math.floor((now - offset) / WEEK_MS);
}

/**
 * The segments the host may see. Throws `CONSENT_REQUIRED` without consent.
 *
 * @param interests the shopper's profile (its item affinities are mapped to segments) or scores per segment
 * @example
 * const result = getSegments(profile, bundleSegments(segmentsJson, vocab), { consent, now: Date.now(), salt, previous });
 * await store.setMeta('segments', result); // the next call in the same week returns it unchanged
 */
export function getSegments(
  interests: Pick<Profile, 'items'> | ArrayLike<number>,
  bundle: BundleSegments,
  options: GetSegmentsOptions,
): SegmentsResult {
  if (options.consent !== true && options.consent !== 'granted') {
    throw new LocalRecError('CONSENT_REQUIRED', `getSegments: needs consent "granted", got ${JSON.stringify(options.consent)}`, {
      field: 'consent',
      accepted: ['granted'],
    });
  }
  if (typeof options.salt !== 'string' || options.salt.length < 16) {
    // The salt is named by its type and length only: it is device-local and must not reach logs.
    const got = typeof options.salt === 'string' ? `a string of ${options.salt.length} characters` : preview(options.salt);
    throw new LocalRecError(
      'INVALID_ARGUMENT',
      `getSegments: salt must be a device-local random string of ≥ 16 characters (createSegmentSalt()); got ${got}.`,
      {
        field: 'salt',
        accepted: ['a string of ≥ 16 characters'],
      },
    );
  }
  const noiseRate = options.noiseRate ?? 0.05;
  const max = options.maxSegments ?? 3;
  const week = segmentWeek(options.now, options.salt);
  const saltTag = hash53(`tag/${options.salt}`).toString(36);
  const prev = options.previous;
  if (prev && prev.week === week && prev.saltTag === saltTag) return prev;

  const S = bundle.labels.length;
  const scores = 'items' in interests ? segmentScores(interests, bundle) : Array.from(interests);
  const ids = scores
    .map((score, id) => ({ id, score }))
    .filter((x) => x.id < S && x.score > 0)
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, max)
    .map((x) => x.id);
  const rnd = stream(`${options.salt}/week/${week}`);
  if (S > ids.length && rnd() < noiseRate) {
    const others = Array.from({ length: S }, (_, i) => i).filter((i) => !ids.includes(i));
    const noise = others[Math.floor(rnd() * others.length)]!;
    if (ids.length < max) ids.splice(Math.floor(rnd() * (ids.length + 1)), 0, noise);
    else ids[Math.floor(rnd() * ids.length)] = noise;
  }
  return { week, saltTag, segments: ids.map((id) => ({ id, label: bundle.labels[id]! })) };
}
