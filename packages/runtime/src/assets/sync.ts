/**
 * Makes a target folder serve exactly the given runtime files (and model bundles): copies them,
 * replacing what is there, and removes what an earlier run copied that is no longer part of the
 * set (a previous version's `chunks/`, whose names carry content hashes). What each run copied is
 * recorded in the target's `localrec-assets.json`; files the command did not write are left alone.
 */
import { copyFile, mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AssetsError } from './errors.js';
import type { AssetFile } from './runtime-files.js';

/** The record of what the command wrote into a target folder. */
const RECORD_FILE = 'localrec-assets.json';

/** A set of files copied from one folder into one folder of the target. */
export interface AssetSet {
  /** What the set is, in messages (`@localrec/runtime`, `model "my-shop"`). */
  label: string;
  /** Its entry in `localrec-assets.json` (default: `to`); two sets may share a `to`, never a key. */
  key?: string;
  /** Folder the files are read from. */
  from: string;
  /** Folder they go to, relative to the target ('' for the target itself, e.g. `models/my-shop`). */
  to: string;
  /** Version recorded for it (the runtime's package version, the model's `manifest.version`). */
  version: string;
  files: AssetFile[];
}

/** What was done. */
export interface SyncReport {
  /** Paths relative to the target, with sizes, in copy order. */
  copied: AssetFile[];
  /** Paths relative to the target that were removed (stale files of an earlier run). */
  removed: string[];
  /** Sum of the copied files' sizes. */
  bytes: number;
}

interface RecordShape {
  sets: Record<string, { version: string; files: string[] }>;
}

const posix = (p: string) => p.split(sep).join('/');
const inside = (parent: string, child: string) => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

async function readRecord(target: string): Promise<RecordShape> {
  try {
    const r = JSON.parse(await readFile(join(target, RECORD_FILE), 'utf8')) as Partial<RecordShape>;
    return { sets: typeof r.sets === 'object' && r.sets ? r.sets : {} };
  } catch {
    return { sets: {} };
  }
}

/** Removes `path` (relative to `target`) and the folders it leaves empty, up to `target`. */
async function removeStale(target: string, path: string): Promise<boolean> {
  const abs = resolve(target, path);
  if (!inside(target, abs) || abs === target) return false; // a record edited by hand: never leave the target
  const s = await stat(abs).catch(() => undefined);
  if (!s?.isFile()) return false;
  await rm(abs);
  for (let d = dirname(abs); d !== target && inside(target, d); d = dirname(d)) {
    if ((await readdir(d)).length) break;
    await rmdir(d);
  }
  return true;
}

/**
 * Copies every set into `target` (created if missing) and removes the stale files of earlier runs.
 * Nothing is written when it throws.
 * @throws {AssetsError} `ASSETS_TARGET_INVALID` when `target` is a file, or a source folder or inside one;
 * `ASSETS_FILE_COLLISION` when two sets have a file for the same path of the target.
 */
export async function syncAssets(target: string, sets: AssetSet[]): Promise<SyncReport> {
  const root = resolve(target);
  const ts = await stat(root).catch(() => undefined);
  if (ts && !ts.isDirectory()) throw new AssetsError('ASSETS_TARGET_INVALID', `${target}: exists and is not a folder`);
  for (const set of sets) {
    const from = resolve(set.from);
    const to = resolve(root, set.to);
    if (inside(from, to)) {
      throw new AssetsError('ASSETS_TARGET_INVALID', `${target}: would copy ${from} onto itself (${to}); choose a target outside it`);
    }
  }
  // Every path this run writes, and where it comes from.
  const owner = new Map<string, { label: string; source: string }>();
  for (const set of sets) {
    for (const f of set.files) {
      const path = posix(join(set.to, f.path));
      const source = join(set.from, f.path);
      const first = owner.get(path);
      if (first) {
        throw new AssetsError(
          'ASSETS_FILE_COLLISION',
          `${target}: ${first.label} and ${set.label} both have ${path} (${first.source}, ${source}); copy them into different folders`,
        );
      }
      owner.set(path, { label: set.label, source });
    }
  }
  await mkdir(root, { recursive: true });
  const record = await readRecord(root);
  const report: SyncReport = { copied: [], removed: [], bytes: 0 };
  for (const set of sets) {
    const key = set.key ?? set.to;
    const wanted = new Set(set.files.map((f) => posix(join(set.to, f.path))));
    // Only what an earlier run wrote for this set (the folder may hold the host's own files, and
    // other sets' files), less what another set of this run writes now.
    const stale = (record.sets[key]?.files ?? []).filter((p) => !owner.has(p));
    for (const p of stale) if (await removeStale(root, p)) report.removed.push(p);
    for (const f of set.files) {
      const dest = join(root, set.to, f.path);
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(join(set.from, f.path), dest);
      report.copied.push({ path: posix(join(set.to, f.path)), bytes: f.bytes });
      report.bytes += f.bytes;
    }
    record.sets[key] = { version: set.version, files: [...wanted] };
  }
  const about =
    'Written by localrec-assets (@localrec/runtime): the files it copied here. Its next run replaces them and removes those no longer needed.';
  await writeFile(join(root, RECORD_FILE), JSON.stringify({ about, sets: record.sets }, null, 2) + '\n');
  return report;
}
