/**
 * Size accounting. The store measures what it writes as the UTF-8 length of the key plus the
 * JSON text of the value: never less than what WeChat counts (the client counts UTF-16 code
 * units of key and serialised data), so staying under a limit here stays under it there.
 */
import { utf8Length } from '@localrec/core';

export { utf8Length };

/** Bytes a key/value pair is accounted as. */
export function entryBytes(key: string, value: unknown): number {
  return utf8Length(key) + utf8Length(JSON.stringify(value) ?? '');
}
