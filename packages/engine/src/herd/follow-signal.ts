import { setMaxListeners } from 'node:events';

/**
 * A signal of the run's own that follows the caller's. LangChain listens on the signal once per tool call running
 * at the same time, so a reply with many calls would trip Node's listener-leak warning on the caller's signal.
 */
export function followSignal(outer: AbortSignal | undefined): AbortSignal & { stop(): void } {
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const abort = () => inner.abort(outer?.reason);
  if (outer?.aborted) abort();
  else outer?.addEventListener('abort', abort, { once: true });
  return Object.assign(inner.signal, { stop: () => outer?.removeEventListener('abort', abort) });
}
