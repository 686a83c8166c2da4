import { createO200kTokenCounter, type TokenCounter } from '@herd/core';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';

// Header and end tokens a Llama chat template adds around each message.
const perMessageTokens = 4;

/** Counts a conversation's tokens as a host's chat template would, each message counted once. */
export interface ConversationTokens {
  /** Tokens of one message: its text, its tool calls, and the template's markers. */
  message(message: BaseMessage): number;
  /** Tokens of all the messages. */
  messages(messages: readonly BaseMessage[]): number;
  /** Tokens of a text (tool definitions, a system prompt). */
  text(text: string): number;
}

/**
 * Creates a counter of conversation tokens, by default with the fast o200k estimate (within a few percent of o200k,
 * itself close to Llama 4's tokenizer; callers keep a margin), which needs no BPE ranks loaded. Each
 * message object is counted once and remembered, so counting the whole conversation before every model call costs
 * only its new messages.
 */
export function createConversationTokens(
  counter: TokenCounter = createO200kTokenCounter({ mode: 'estimate' }),
): ConversationTokens {
  const counted = new WeakMap<BaseMessage, number>();
  const message = (entry: BaseMessage): number => {
    const known = counted.get(entry);
    if (known !== undefined) return known;
    let tokens = perMessageTokens + counter.count(entry.text);
    if (AIMessage.isInstance(entry) && (entry.tool_calls?.length ?? 0) > 0) {
      tokens += counter.count(JSON.stringify(entry.tool_calls!.map(({ name, args }) => ({ name, args }))));
    }
    counted.set(entry, tokens);
    return tokens;
  };
  return {
    message,
    messages: (entries) => entries.reduce((sum, entry) => sum + message(entry), 0),
    text: (text) => counter.count(text),
  };
}

/**
 * The longest start of `text`, cut at a line end where there is one, whose o200k count is at most `maxTokens`.
 * Returns the text itself when it fits.
 */
export function cutToTokens(input: { text: string; maxTokens: number; count: (text: string) => number }): {
  text: string;
  cut: boolean;
} {
  const { text, maxTokens, count } = input;
  if (count(text) <= maxTokens) return { text, cut: false };
  // Binary search on the character length, then back to the last line end inside it.
  let low = 0;
  let high = text.length;
  while (high - low > 64) {
    const middle = Math.floor((low + high) / 2);
    if (count(text.slice(0, middle)) <= maxTokens) low = middle;
    else high = middle;
  }
  const lineEnd = text.lastIndexOf('\n', low);
  const end = lineEnd > low / 2 ? lineEnd + 1 : low;
  return { text: text.slice(0, end), cut: true };
}
