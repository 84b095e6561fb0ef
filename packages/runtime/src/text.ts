/**
 * UTF-8 without requiring `TextDecoder`/`TextEncoder`: the context's own where it has them
 * (browsers, workers, Node), else tfjs's platform codec — in a WeChat mini-program, the one from
 * `miniProgramTfPlatform(wx)` that the host installs with `installTfPlatform` before starting the
 * runtime (tfjs cannot run there without it anyway).
 */
import { LocalRecError } from '@localrec/core';
import { textCodecs } from '@localrec/core/internal';
import { env, util } from '@tensorflow/tfjs-core';

function platform(what: string): void {
  if (!env().platform) {
    throw new LocalRecError(
      'NOT_READY',
      `No ${what} in this context and no tfjs platform to fall back on: install one first (installTfPlatform(miniProgramTfPlatform(wx)) in a mini-program)`,
    );
  }
}

/** Text of UTF-8 `bytes`. */
export function utf8Text(bytes: Uint8Array): string {
  const TD = textCodecs().TextDecoder;
  if (TD) return new TD().decode(bytes);
  platform('TextDecoder');
  return util.decodeString(bytes, 'utf-8');
}

/** UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  const TE = textCodecs().TextEncoder;
  if (TE) return new TE().encode(text);
  platform('TextEncoder');
  return util.encodeString(text, 'utf-8');
}
