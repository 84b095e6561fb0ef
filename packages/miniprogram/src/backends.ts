/**
 * The inference backends a mini-program has: tfjs `webgl` (through `wx.createOffscreenCanvas`)
 * and `cpu`. No WebGPU exists there, and tfjs-backend-wasm cannot load its binary through
 * `WXWebAssembly`, so both are refused by name.
 */
import { LocalRecError } from '@localrec/core';

/** Every backend name of the runtime (`BACKENDS` of `@localrec/runtime`); written here so this module stays tfjs-free. */
const ALL_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

export const MINIPROGRAM_BACKENDS = ['webgl', 'cpu'] as const;
export type MiniProgramBackend = (typeof MINIPROGRAM_BACKENDS)[number];

/**
 * The backend list for a mini-program: `requested` (in its order) checked against
 * {@link MINIPROGRAM_BACKENDS}, or all of them when omitted. Without a WebGL canvas
 * (`webgl: false`) only `cpu` remains. The rule of the whole SDK: a name that is no backend at all
 * is a configuration mistake (`INVALID_CONFIG`, as the runtime says); a real backend that cannot
 * run here (webgpu, wasm) is `BACKEND_UNAVAILABLE`.
 * @throws {LocalRecError} `INVALID_CONFIG` for an unknown name, `BACKEND_UNAVAILABLE` for webgpu or
 * wasm or when no backend remains; each names the backend and the accepted ones.
 */
export function miniProgramBackends(requested?: readonly string[], env: { webgl: boolean } = { webgl: true }): MiniProgramBackend[] {
  const list = requested ?? MINIPROGRAM_BACKENDS;
  const out: MiniProgramBackend[] = [];
  for (const b of list) {
    if (!(ALL_BACKENDS as readonly string[]).includes(b)) {
      throw new LocalRecError(
        'INVALID_CONFIG',
        `Unsupported backend ${JSON.stringify(b) ?? String(b)}. Should be one of: ${MINIPROGRAM_BACKENDS.join(', ')}.`,
        {
          field: 'backends',
          accepted: MINIPROGRAM_BACKENDS,
        },
      );
    }
    if (!(MINIPROGRAM_BACKENDS as readonly string[]).includes(b)) {
      throw new LocalRecError(
        'BACKEND_UNAVAILABLE',
        `Backend "${b}" does not exist in mini-programs. Should be one of: ${MINIPROGRAM_BACKENDS.join(', ')}.`,
        {
          field: 'backends',
          accepted: MINIPROGRAM_BACKENDS,
        },
      );
    }
    if (b === 'webgl' && !env.webgl) continue;
    if (!out.includes(b as MiniProgramBackend)) out.push(b as MiniProgramBackend);
  }
  if (out.length === 0) {
    throw new LocalRecError(
      'BACKEND_UNAVAILABLE',
      `No usable backend among ${list.join(', ') || '(none)'}: this mini-program has no WebGL canvas; use cpu.`,
      {
        field: 'backends',
        accepted: ['cpu'],
      },
    );
  }
  return out;
}
