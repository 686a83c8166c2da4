/** Options for {@link replyTokenBudget}. */
export interface ReplyTokenBudgetOptions {
  /** The window the host serves, in tokens. */
  contextWindow: number;
  /** The most the role may ask for (`maxOutputTokens`). */
  maxOutputTokens: number;
  /** The prompt's tokens as Herd counts them (o200k, close to Llama 4's tokenizer but not the same). */
  promptTokens: number;
}

/** Share of the prompt kept free for the difference between o200k counts and the host's tokenizer. */
export const tokenizerMargin = 0.05;

/**
 * How many tokens a request may ask for: `min(maxOutputTokens, window − prompt − margin)`, where the margin (5% of
 * the prompt, plus a few tokens for the chat template) covers the difference between Herd's count and the host's.
 * Zero or less means the prompt itself does not fit.
 */
export function replyTokenBudget(options: ReplyTokenBudgetOptions): number {
  const { contextWindow, maxOutputTokens, promptTokens } = options;
  const margin = Math.ceil(promptTokens * tokenizerMargin) + 32;
  return Math.min(maxOutputTokens, contextWindow - promptTokens - margin);
}
