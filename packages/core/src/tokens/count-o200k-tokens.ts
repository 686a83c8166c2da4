import { createFastO200kCounter, type FastO200kCounter } from './fast-o200k-counter.js';
import { sharedO200kRankTable } from './shared-o200k-rank-table.js';

// One counter per process: its piece memo is shared by every caller, and it is created on first use, because a
// counter allocates a 2 MB memo at once and several modules create their request counters when loaded.
let counter: FastO200kCounter | undefined;

/**
 * Counts `text` exactly with o200k on the calling thread, with special-token text such as `<|endoftext|>` counted
 * as plain text, over this process's shared rank table ({@link sharedO200kRankTable}) and piece memo. The same
 * counts as OpenAI's tiktoken; gpt-tokenizer's `countTokens` differs only on byte-order marks (2 tokens, not 1).
 */
export function countO200kTokens(text: string): number {
  counter ??= createFastO200kCounter({ table: sharedO200kRankTable });
  return counter.count(text);
}
