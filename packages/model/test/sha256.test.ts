// sha256Hex has two paths: WebCrypto's crypto.subtle where the context has it, @noble/hashes where
// it does not (a WeChat mini-program's logic layer has no SubtleCrypto). Both must give Node's
// digests, on the real model files and on the lengths where SHA-256 padding changes.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../src/index.js';

const models = join(import.meta.dirname, '../../../models');
const modelFiles = ['demo-shop', 'games-sasrec'].flatMap((m) => readdirSync(join(models, m)).map((f) => join(m, f)));
const node = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Lengths around the 64-byte block and the 55/56-byte padding boundary, with non-trivial bytes. */
const edgeInputs = [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 255));

describe.each([
  ['crypto.subtle (WebCrypto)', false],
  ['@noble/hashes (no crypto in the context)', true],
] as const)('sha256Hex through %s', (_name, withoutCrypto) => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });
  const setUp = () => {
    if (withoutCrypto) {
      vi.stubGlobal('crypto', undefined);
      expect(globalThis.crypto).toBeUndefined();
      return undefined;
    }
    return vi.spyOn(globalThis.crypto.subtle, 'digest');
  };

  it.each(modelFiles)("equals Node's digest of models/%s", async (f) => {
    const bytes = new Uint8Array(readFileSync(join(models, f)));
    const spy = setUp();
    expect(await sha256Hex(bytes)).toBe(node(bytes));
    if (spy) expect(spy).toHaveBeenCalledTimes(1); // the native path was the one taken
  });

  it("matches the manifest's recorded hashes of models/demo-shop", async () => {
    const manifest = JSON.parse(readFileSync(join(models, 'demo-shop/manifest.json'), 'utf8')) as {
      files: Record<string, { sha256: string }>;
    };
    setUp();
    for (const [f, info] of Object.entries(manifest.files)) {
      expect(await sha256Hex(readFileSync(join(models, 'demo-shop', f))), f).toBe(info.sha256);
    }
  });

  it("equals Node's digest at the padding boundaries, for ArrayBuffers and offset views", async () => {
    setUp();
    for (const b of edgeInputs) {
      expect(await sha256Hex(b), `${b.length} bytes`).toBe(node(b));
      expect(await sha256Hex(b.slice().buffer), `${b.length} bytes as ArrayBuffer`).toBe(node(b));
      const padded = new Uint8Array(b.length + 9);
      padded.set(b, 5);
      expect(await sha256Hex(padded.subarray(5, 5 + b.length)), `${b.length} bytes at offset 5`).toBe(node(b));
    }
    expect(await sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('tells a flipped byte apart', async () => {
    const bytes = new Uint8Array(readFileSync(join(models, 'demo-shop/weights.bin')));
    const flipped = bytes.slice();
    flipped[1234] = flipped[1234]! ^ 1;
    setUp();
    expect(await sha256Hex(flipped)).not.toBe(await sha256Hex(bytes));
    expect(await sha256Hex(flipped)).toBe(node(flipped));
  });
});
