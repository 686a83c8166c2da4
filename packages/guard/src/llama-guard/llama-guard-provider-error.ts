import { ProviderError } from '@herd/core';
import { modelCallErrorText } from '@herd/core/models';

/** Options for {@link llamaGuardProviderError}. */
export interface LlamaGuardProviderErrorOptions {
  /** What the call threw (an OpenAI client error, a fetch error, a timeout). */
  error: unknown;
  /** Names the classifier, e.g. `together/meta-llama/Llama-Guard-4-12B`. */
  label: string;
  /** The provider and model that failed. */
  endpoint: { provider: string; model: string };
  /** Whether the check's own time limit ran out. */
  timedOut: boolean;
  /** That time limit, in milliseconds. */
  timeoutMs: number;
}

/**
 * The {@link ProviderError} for a Llama Guard check the provider could not answer: a timeout
 * (`llama_guard_timeout`), a refused or unreachable connection, or an HTTP error (`llama_guard_failed`). The
 * message quotes the provider's own words and names the setting to change, so a pipeline log says what to fix; it
 * never reads like a guard decision about the content.
 */
export function llamaGuardProviderError(options: LlamaGuardProviderErrorOptions): ProviderError {
  const { error, endpoint, timeoutMs } = options;
  const who = `Llama Guard 4 (${endpoint.provider} ${endpoint.model})`;
  const status = statusOf(error);
  const common = { provider: endpoint.provider, model: endpoint.model, cause: error };
  const hint =
    'Llama Guard checks fail closed, so nothing ran unchecked; "llamaGuard": false in roles.guard runs without them.';
  if (options.timedOut || (status === undefined && isTimeout(error))) {
    return new ProviderError({
      ...common,
      code: 'llama_guard_timeout',
      hint,
      message: `${who} did not answer within ${timeoutMs} ms; check that the provider is up, or raise roles.guard.llamaGuard.timeoutMs.`,
    });
  }
  if (status === undefined) {
    return new ProviderError({
      ...common,
      code: 'llama_guard_failed',
      hint,
      message: `Cannot reach ${who}: ${modelCallErrorText(error)}; start the server or correct providers.${endpoint.provider}.baseUrl (or roles.guard.llamaGuard.provider).`,
    });
  }
  const words = `HTTP ${status}: "${providerWords(error)}"`;
  return new ProviderError({
    ...common,
    code: 'llama_guard_failed',
    status,
    hint,
    message: `${who} failed the check with ${words}; ${fixFor(status, providerWords(error), endpoint.provider)}.`,
  });
}

function fixFor(status: number, words: string, provider: string): string {
  if (status === 401 || status === 403)
    return `check the API key of provider '${provider}' (the variable its preset names) and that it may use this model`;
  if (status === 404)
    return `the provider does not serve this model: set roles.guard.llamaGuard.model to a Llama Guard model it serves, or roles.guard.llamaGuard.provider to one that serves Llama Guard 4`;
  if (/context|too long|maximum|tokens/i.test(words))
    return 'the text is longer than the window it serves: set roles.guard.llamaGuard.contextWindow to that window, or use a provider with a larger one';
  if (status === 429)
    return 'the provider is rate limiting: retry later, or add roles.guard.llamaGuard.fallbacks';
  if (status >= 500) return 'the provider failed: retry later, or add roles.guard.llamaGuard.fallbacks';
  return 'check roles.guard.llamaGuard (model, api, maxOutputTokens) against what the provider serves';
}

/** The HTTP status of the error or of one it wraps (LangChain wraps a context overflow around the client's error). */
function statusOf(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const record = current as { status?: unknown; response?: { status?: unknown }; cause?: unknown };
    if (typeof record.status === 'number') return record.status;
    if (typeof record.response?.status === 'number') return record.response.status;
    current = record.cause;
  }
  return undefined;
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'TimeoutError' || error.constructor.name === 'APIConnectionTimeoutError')
  );
}

/** The provider's message without the status the OpenAI client puts in front of it. */
function providerWords(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\d{3}\s+/, '').slice(0, 300);
}
