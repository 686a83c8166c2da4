import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  type MessageContent,
  ToolMessage,
} from '@langchain/core/messages';
import { ClearToolUsesEdit } from 'langchain';
import type { ConversationTokens } from './conversation-tokens.js';

/** Options for {@link compactConversation}. */
export interface CompactConversationOptions {
  /** The conversation as it would be sent (without the system message). */
  messages: readonly BaseMessage[];
  /** Tokens the messages may take. */
  budget: number;
  /** Tokens of what is sent besides the messages (system prompt, tool definitions). */
  fixedTokens: number;
  tokens: ConversationTokens;
  /** The served window, for the notes the model reads. */
  contextWindow: number;
}

/** A conversation made to fit, and how. */
export interface CompactedConversation {
  messages: BaseMessage[];
  /** `elided` when only earlier tool results were replaced, `summarised` when earlier turns were too. */
  how: 'unchanged' | 'elided' | 'summarised';
}

/** What an elided tool result is replaced with. */
export const elidedToolResult =
  '[Herd elided this earlier tool result to keep the conversation inside the model window; call the tool again if you still need it.]';

/**
 * Makes a step's conversation fit a token budget without touching what the agent has stored (only the request
 * changes, as LangChain's context editing does), in two stages:
 * 1. earlier tool results are elided, newest kept first, with LangChain's `ClearToolUsesEdit`;
 * 2. if that is not enough, the earliest turns after the step's instructions are summarised: replaced by a list of
 *    the calls made and how each ended, written by Herd (no model call), appended to the step's first message. Tool
 *    output never moves into that message, so data cannot gain the authority of the instructions.
 * The step's first message (the plan, the step, the files) is always kept, and a tool call is never separated
 * from its result.
 */
export async function compactConversation(
  options: CompactConversationOptions,
): Promise<CompactedConversation> {
  const { budget, tokens } = options;
  const total = (messages: readonly BaseMessage[]) => tokens.messages(messages);
  if (total(options.messages) <= budget) return { messages: [...options.messages], how: 'unchanged' };

  const messages = [...options.messages];
  const edit = new ClearToolUsesEdit({
    trigger: { tokens: 1 },
    // The newest results are kept while they take at most a third of the budget.
    keep: { tokens: Math.floor(budget / 3) },
    placeholder: elidedToolResult,
  });
  // The model is only read for fractional limits, which are not used here.
  await edit.apply({ messages, countTokens: (entries) => total(entries), model: undefined as never });
  if (total(messages) <= budget) return { messages, how: 'elided' };

  return { messages: summariseEarlyTurns({ ...options, messages }), how: 'summarised' };
}

/**
 * Keeps the first message, with a list of what the dropped turns did appended (its oldest entries left out if the
 * list would take more than half the budget), and the newest turns that fit what is left.
 */
function summariseEarlyTurns(
  options: CompactConversationOptions & { messages: BaseMessage[] },
): BaseMessage[] {
  const { messages, budget, tokens } = options;
  const [first, ...rest] = messages;
  if (!first || rest.length === 0) return messages;
  // Drop as many early turns as it takes for the newest ones to fit beside the summarised first message.
  let start = 0;
  for (;;) {
    while (start < rest.length && ToolMessage.isInstance(rest[start])) start += 1;
    const summarised = withSummary({
      first,
      dropped: rest.slice(0, start),
      budget,
      tokens,
      window: options.contextWindow,
    });
    const kept = rest.slice(start);
    if (start >= rest.length || tokens.message(summarised) + tokens.messages(kept) <= budget) {
      return start === 0 ? messages : [summarised, ...kept];
    }
    start += 1;
  }
}

function withSummary(input: {
  first: BaseMessage;
  dropped: readonly BaseMessage[];
  budget: number;
  tokens: ConversationTokens;
  window: number;
}): BaseMessage {
  if (input.dropped.length === 0) return input.first;
  const lines = describeTurns(input.dropped);
  const render = (shown: readonly string[]) => {
    const left = lines.length - shown.length;
    const list = [...(left > 0 ? [`- (${left} earlier calls not listed)`] : []), ...shown].join('\n');
    return withAppendedText(
      input.first,
      `\n\n[Herd summarised the earlier part of this step to keep it inside the model's ${input.window}-token window. What you did before, in order:\n${list}\nFile contents you read then are not shown any more: read again what you need, in parts (read_file with startLine/endLine, or search).]`,
    );
  };
  let shown = lines;
  let message = render(shown);
  while (shown.length > 0 && input.tokens.message(message) > input.budget / 2) {
    shown = shown.slice(Math.max(1, Math.floor(shown.length / 4)));
    message = render(shown);
  }
  return message;
}

function describeTurns(turns: readonly BaseMessage[]): string[] {
  const outcomes = new Map<string, string>();
  for (const turn of turns) {
    if (!ToolMessage.isInstance(turn)) continue;
    outcomes.set(turn.tool_call_id, turn.status === 'error' ? 'failed or refused' : 'done');
  }
  const lines: string[] = [];
  for (const turn of turns) {
    if (!AIMessage.isInstance(turn)) continue;
    for (const call of turn.tool_calls ?? []) {
      const args = JSON.stringify(call.args);
      const shown = args.length > 160 ? `${args.slice(0, 160)}…` : args;
      lines.push(`- ${call.name} ${shown}: ${outcomes.get(call.id ?? '') ?? 'no result'}`);
    }
    if ((turn.tool_calls?.length ?? 0) === 0 && turn.text.trim()) {
      const text = turn.text.trim().replace(/\s+/g, ' ');
      lines.push(`- you said: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`);
    }
  }
  return lines.length > 0 ? lines : ['- (no tool calls)'];
}

function withAppendedText(message: BaseMessage, note: string): BaseMessage {
  const content: MessageContent = Array.isArray(message.content)
    ? [...message.content, { type: 'text', text: note }]
    : `${message.content}${note}`;
  return new HumanMessage({ content, ...(message.id ? { id: message.id } : {}) });
}
