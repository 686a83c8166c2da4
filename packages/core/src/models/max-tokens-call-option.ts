/** The call option that caps `max_tokens` for one call (see {@link maxTokensFor}). */
export const maxTokensCallOption = 'herdMaxTokens';

/**
 * Call options that ask for at most `maxTokens` tokens in this call's reply: pass them to `invoke`, `stream`, or
 * an agent's `modelSettings`. The model's own `maxOutputTokens` still applies when it is smaller.
 *
 * @example
 * await model.invoke(messages, { signal, ...maxTokensFor(2_048) });
 */
export function maxTokensFor(maxTokens: number): Record<string, number> {
  return { [maxTokensCallOption]: Math.max(1, Math.floor(maxTokens)) };
}
