import type { SecretRedactor } from './secret-redactor.js';

/**
 * Redacts an error in place: its message, its hint (Herd errors), its stack and the same for every error in its
 * `cause` chain. A provider that answers "invalid key sk-..." puts the key in the error Herd throws; the error is
 * cleaned where it is caught, so whoever reports it later (a front door, a library caller, a log) cannot print the
 * key. Non-errors are left alone.
 *
 * @example
 * ```ts
 * try { await model.invoke(messages); } catch (error) { throw redactError(error, redactor); }
 * ```
 */
export function redactError<TError>(error: TError, redactor: SecretRedactor): TError {
  const seen = new Set<unknown>();
  for (let current: unknown = error; current instanceof Error && !seen.has(current); ) {
    seen.add(current);
    rewrite(current, 'message', redactor);
    rewrite(current, 'stack', redactor);
    rewrite(current, 'hint', redactor);
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}

function rewrite(target: Error, field: 'message' | 'stack' | 'hint', redactor: SecretRedactor): void {
  const value = (target as unknown as Record<string, unknown>)[field];
  if (typeof value !== 'string') return;
  const redacted = redactor.redact(value);
  if (redacted === value) return;
  // Herd errors declare `hint` readonly; the property itself is an ordinary writable one, or made so here.
  Object.defineProperty(target, field, {
    value: redacted,
    writable: true,
    configurable: true,
    enumerable: field === 'hint',
  });
}
