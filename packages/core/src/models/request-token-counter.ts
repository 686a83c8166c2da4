import { countO200kTokens } from '../tokens/count-o200k-tokens.js';
import type { TokenCounter } from '../tokens/token-counter.js';

/**
 * The longest run of characters without whitespace (or of whitespace) the BPE is given at once. Runs were first
 * sliced because gpt-tokenizer's merge loop is quadratic in the length of a piece (25,000 punctuation characters
 * took most of a second, 1 MB many minutes); the counter used now merges long pieces with a heap, but the slices
 * stay: they keep the counts what they were (erring high), bound the prefixes `cut()` recounts and the
 * length of the pieces the counter remembers. Llama 4's own tokenizer splits such runs too (at 25,000 characters).
 */
export const maxRunCharacters = 256;
/** Ordinary text (short runs) is counted in batches of about this many characters. */
const batchCharacters = 8_192;

/** A {@link TokenCounter} that can also cut a text to a number of tokens. */
export interface RequestTokenCounter extends TokenCounter {
  /**
   * The longest start of `text`, cut at a line end where one is near, of at most `maxTokens` tokens; the text
   * itself (and `cut: false`) when it fits. Stops counting where the cut falls, so a huge text costs no more than
   * the part kept.
   */
  cut(text: string, maxTokens: number): { text: string; cut: boolean };
}

/**
 * Counts the tokens of what goes into a request to a served window: the o200k BPE, never the fast estimate. The
 * estimate is fitted on ordinary source text and is easily fooled by text an attacker writes into a file or a
 * command's output: 100,000 punctuation characters estimate at 1 token (o200k: 67,907), random 4-letter words at
 * 40% of their count, rare CJK at a third. A tool result or a step file sized with it could overflow the window
 * however small Herd thought it was. Long runs are counted in slices of {@link maxRunCharacters}, which can only
 * add tokens (at most one per slice), so the count errs high. Special-token text such as `<|endoftext|>` is
 * counted as plain text. Counts with this process's one exact o200k counter ({@link countO200kTokens}), whose rank
 * table is built on first use (about 0.1 s) unless a pack has built it already.
 */
export function createRequestTokenCounter(): RequestTokenCounter {
  const count = (text: string): number => {
    let total = 0;
    for (const piece of piecesOf(text)) total += countO200kTokens(piece);
    return total;
  };
  return {
    name: 'o200k-bounded',
    count,
    cut: (text, maxTokens) => cutToTokens(text, Math.max(0, Math.floor(maxTokens))),
  };
}

function cutToTokens(text: string, maxTokens: number): { text: string; cut: boolean } {
  // A token is at least one UTF-8 byte, so a text of no more bytes than tokens allowed fits without counting.
  if (text.length <= maxTokens && Buffer.byteLength(text) <= maxTokens) return { text, cut: false };
  let used = 0;
  let offset = 0;
  for (const piece of piecesOf(text)) {
    const tokens = countO200kTokens(piece);
    if (used + tokens <= maxTokens) {
      used += tokens;
      offset += piece.length;
      continue;
    }
    // The cut falls inside this piece: the longest start of it that fits what is left.
    let low = 0;
    let high = piece.length;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (countO200kTokens(piece.slice(0, middle)) <= maxTokens - used) low = middle;
      else high = middle - 1;
    }
    let end = offset + low;
    if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    const lineEnd = text.lastIndexOf('\n', end - 1);
    if (lineEnd >= 0 && lineEnd + 1 > end / 2) end = lineEnd + 1;
    return { text: text.slice(0, end), cut: true };
  }
  return { text, cut: false };
}

/**
 * The text in consecutive pieces for the BPE: runs of at most {@link maxRunCharacters} kept together in batches,
 * longer runs in slices of their own (never splitting a surrogate pair).
 */
function* piecesOf(text: string): Generator<string> {
  let batchStart = 0;
  const runs = /\s+|\S+/g;
  for (let match = runs.exec(text); match !== null; match = runs.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    if (end - start <= maxRunCharacters) {
      if (end - batchStart > batchCharacters && start > batchStart) {
        yield text.slice(batchStart, start);
        batchStart = start;
      }
      continue;
    }
    if (start > batchStart) yield text.slice(batchStart, start);
    for (let from = start; from < end; ) {
      let to = Math.min(end, from + maxRunCharacters);
      if (to < end && isHighSurrogate(text.charCodeAt(to - 1))) to -= 1;
      yield text.slice(from, to);
      from = to;
    }
    batchStart = end;
  }
  if (batchStart < text.length) yield text.slice(batchStart);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
