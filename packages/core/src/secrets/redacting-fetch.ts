import type { SecretRedactor } from './secret-redactor.js';

/**
 * A `fetch` that takes secrets out of every request body before it is sent: the last egress point of a prompt, so
 * no key reaches a provider inside a message, a tool result or a plan, whatever let it into the conversation. JSON
 * bodies are redacted as JSON (they stay valid); headers (the `Authorization` a provider needs) are left alone.
 *
 * @param redactor - The redactor, or a function returning one for each request (to follow a rotated key).
 * @param fetchImplementation - The `fetch` to send with; default the global one.
 * @example
 * ```ts
 * new ChatOpenAI({ configuration: { baseURL, apiKey, fetch: createRedactingFetch(redactor) } });
 * ```
 */
export function createRedactingFetch(
  redactor: SecretRedactor | (() => SecretRedactor),
  fetchImplementation: typeof fetch = (input, init) => fetch(input, init),
): typeof fetch {
  const current = typeof redactor === 'function' ? redactor : () => redactor;
  return (input, init) => {
    if (typeof init?.body !== 'string') return fetchImplementation(input, init);
    return fetchImplementation(input, { ...init, body: current().redactJson(init.body) });
  };
}
