/**
 * True when an error from a model call should move on to the next model in the fallback chain: rate limits,
 * server errors, timeouts and dropped connections. Client errors (bad request, auth, context overflow) are not,
 * since another model would fail the same way or hide a configuration problem.
 */
export function isFallbackWorthy(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status === 408 || status === 409 || status === 429 || status >= 500;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  return /timeout|timed out|connection|ECONNRESET|ECONNREFUSED|socket hang up|terminated|aborted/i.test(
    `${name} ${message}`,
  );
}

/** The HTTP status carried by a provider error, if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { status?: unknown; response?: { status?: unknown }; lc_error_code?: unknown };
  if (typeof record.status === 'number') return record.status;
  if (typeof record.response?.status === 'number') return record.response.status;
  return undefined;
}
