import { GuardError } from '@herd/core';

/**
 * The {@link GuardError} behind an error, following `cause` links: LangChain wraps errors thrown by middleware in
 * its own `MiddlewareError`, so a run that `guardMiddleware` stopped with outcome `error` rejects with that wrapper.
 */
export function findGuardError(error: unknown): GuardError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (GuardError.isInstance(current) && current instanceof GuardError) return current;
    current = current.cause;
  }
  return undefined;
}
