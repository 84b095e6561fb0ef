import { LocalRecError } from '@localrec/core';

/** An INVALID_ARGUMENT error naming the bad field and, where there is a list, the accepted values. */
export function invalid(message: string, field: string, accepted?: readonly string[]): LocalRecError {
  return new LocalRecError('INVALID_ARGUMENT', message, accepted ? { field, accepted } : { field });
}

/** Checks that `value` is an integer in [min, max] and returns it. */
export function requireInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, field);
  }
  return value;
}

/** Checks that `value` is a finite number in [min, max] and returns it. */
export function requireNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(`${field} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`, field);
  }
  return value;
}
