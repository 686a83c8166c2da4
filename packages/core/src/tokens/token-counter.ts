/** How precisely a {@link TokenCounter} counts. */
export type TokenCountMode = 'exact' | 'estimate';

/**
 * Counts tokens the way the Llama 4 tokenizer would, closely enough to budget a prompt.
 *
 * Llama 4 uses a tiktoken BPE with 200,000 ranks and an o200k-style split pattern, but its ranks are not
 * o200k's, so even an "exact" o200k count is an estimate of the true Llama 4 count (typically within a few
 * percent on source code and English). Budgets should keep a margin for that difference.
 */
export interface TokenCounter {
  /** A stable name, e.g. `o200k`, used to key caches of counts. */
  readonly name: string;
  /** Counts the tokens of `text`. */
  count(text: string): number;
}
