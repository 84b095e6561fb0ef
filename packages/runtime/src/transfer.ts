/**
 * Error codes across the worker boundary. Comlink's default `throw` handler keeps only
 * `{name, message, stack}`; this one sends core's {@link serializeError} form and rebuilds a
 * `LocalRecError` (same `code`, `field`, `accepted`) on the receiving side. Installed by both the
 * worker entry and the main-thread connector; idempotent.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { deserializeError, isSerializedError, serializeError } from '@localrec/core';

type Thrown = { value: unknown };
type Wire = { isError: boolean; value: unknown };
const INSTALLED = Symbol.for('localrec.comlink.errors');

export function installErrorTransfer(): void {
  const base = transferHandlers.get('throw') as (TransferHandler<Thrown, Wire> & { [INSTALLED]?: true }) | undefined;
  if (!base || base[INSTALLED]) return;
  const handler: TransferHandler<Thrown, Wire> & { [INSTALLED]: true } = {
    [INSTALLED]: true,
    canHandle: (v: unknown): v is Thrown => base.canHandle(v),
    serialize: (v) => (v.value instanceof Error ? [{ isError: true, value: serializeError(v.value) }, []] : base.serialize(v)),
    deserialize: (w) => {
      if (w.isError && isSerializedError(w.value)) throw deserializeError(w.value);
      return base.deserialize(w);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
}
