import { createRequestTokenCounter, type TokenCounter } from '@herd/core';
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
 * Creates a counter of conversation tokens, by default with the o200k BPE (see `createRequestTokenCounter`: the
 * fast estimate can be fooled by what a file or a command prints, and a conversation sized with it can overflow
 * the window). Each message object is counted once and remembered, so counting the whole conversation before
 * every model call costs only its new messages.
 */
export function createConversationTokens(
  counter: TokenCounter = createRequestTokenCounter(),
): ConversationTokens {
  const counted = new WeakMap<BaseMessage, number>();
  let lastText: { text: string; tokens: number } | undefined;
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
    // The same system prompt is counted before every call; remember the last one.
    text: (text) => {
      if (lastText?.text !== text) lastText = { text, tokens: counter.count(text) };
      return lastText.tokens;
    },
  };
}
