import { ProviderError } from '../errors/provider-error.js';
import type { ModelEndpointDescription } from './model-endpoint-of.js';

/** The `fetch` the OpenAI client takes (`ClientOptions.fetch`). */
export type ReplyFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options for {@link watchReplyFetch}. */
export interface WatchReplyFetchOptions {
  /** The model the client calls; its `timeoutMs` is the longest silence allowed in a reply. */
  endpoint: ModelEndpointDescription;
  /** The fetch to wrap; default the global one at call time. */
  fetch?: ReplyFetch;
}

/**
 * Bytes a reply may take per token of its `max_tokens`: a streamed token costs one SSE event of a few hundred
 * bytes (id, model, choices, sometimes usage), so this is many times what an honest host sends.
 */
export const replyBytesPerToken = 4096;
/**
 * The least a reply may take, whatever `max_tokens` says (and when a request sets none). Only a flood is stopped
 * here: a host that merely overruns `max_tokens` (a 400 KB reply sent four characters an event is 18 MB) is
 * answered by the actor's reply check, which keeps the first 100,000 characters and warns.
 */
export const minReplyBytes = 64 * 1024 * 1024;

/**
 * Wraps the OpenAI client's fetch so that a reply body cannot hold a call for ever. The client's timeout ends once
 * the headers arrive, so a host that then stops sending (mid-stream), or streams without end (ignoring
 * `max_tokens`), kept the run waiting until someone killed it. Now a body that sends nothing for `timeoutMs` fails
 * with `provider_timeout`, and one larger than `max_tokens` × {@link replyBytesPerToken} bytes (at least
 * {@link minReplyBytes}) fails with `provider_reply_too_large`; both name the host and the fix, and the
 * connection is closed.
 */
export function watchReplyFetch(options: WatchReplyFetchOptions): ReplyFetch {
  const { endpoint } = options;
  return async (input, init) => {
    const response = await (options.fetch ?? globalThis.fetch)(input, init);
    if (!response.body) return response;
    const limit = Math.max(minReplyBytes, (maxTokensOf(init?.body) ?? 0) * replyBytesPerToken);
    const upstream = response.body.getReader();
    let received = 0;
    const fail = (error: ProviderError): never => {
      upstream.cancel(error).catch(() => {});
      throw error;
    };
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let timer: NodeJS.Timeout | undefined;
        const silence = new Promise<'silent'>((resolve) => {
          timer = setTimeout(() => resolve('silent'), endpoint.timeoutMs);
        });
        const next = await Promise.race([upstream.read(), silence]).finally(() => clearTimeout(timer));
        if (next === 'silent') return fail(stalledError(endpoint, received));
        if (next.done) {
          controller.close();
          return;
        }
        received += next.value.byteLength;
        if (received > limit) return fail(tooLargeError(endpoint, limit));
        controller.enqueue(next.value);
      },
      cancel(reason) {
        return upstream.cancel(reason);
      },
    });
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** The request's `max_tokens` (or `max_completion_tokens`), when its body is JSON that sets one. */
function maxTokensOf(body: RequestInit['body'] | undefined): number | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const parsed = JSON.parse(body) as { max_tokens?: unknown; max_completion_tokens?: unknown };
    const value = parsed.max_tokens ?? parsed.max_completion_tokens;
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

const timeoutSetting = (endpoint: ModelEndpointDescription) =>
  `roles.${endpoint.role === 'llamaGuard' ? 'guard.llamaGuard' : endpoint.role}.timeoutMs`;

function stalledError(endpoint: ModelEndpointDescription, received: number): ProviderError {
  const where = received > 0 ? `after ${received} bytes of its reply` : 'after the headers of its reply';
  return new ProviderError({
    provider: endpoint.provider,
    model: endpoint.model,
    code: 'provider_timeout',
    message: `${endpoint.provider} at ${endpoint.baseUrl} timed out: the ${endpoint.role} call to ${endpoint.model} sent nothing for ${endpoint.timeoutMs} ms ${where}; check that the server is up and not overloaded, or raise ${timeoutSetting(endpoint)}.`,
  });
}

function tooLargeError(endpoint: ModelEndpointDescription, limit: number): ProviderError {
  return new ProviderError({
    provider: endpoint.provider,
    model: endpoint.model,
    code: 'provider_reply_too_large',
    message: `${endpoint.provider} at ${endpoint.baseUrl} sent more than ${limit} bytes for one ${endpoint.role} reply from ${endpoint.model}, far more than its max_tokens allows: the server does not honour max_tokens (or never ends its reply); check its configuration, or use another provider.`,
  });
}
