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

/** Keeps the first message and the newest turns that fit half the budget; lists what the dropped turns did. */
function summariseEarlyTurns(
  options: CompactConversationOptions & { messages: BaseMessage[] },
): BaseMessage[] {
  const { messages, budget, tokens } = options;
  const [first, ...rest] = messages;
  if (!first || rest.length === 0) return messages;
  const keepBudget = Math.max(0, Math.floor(budget / 2) - tokens.message(first));
  let start = rest.length;
  let kept = 0;
  while (start > 0 && kept + tokens.message(rest[start - 1]!) <= keepBudget) {
    start -= 1;
    kept += tokens.message(rest[start]!);
  }
  // Never begin with a tool result whose call was dropped.
  while (start < rest.length && ToolMessage.isInstance(rest[start])) start += 1;
  const dropped = rest.slice(0, start);
  if (dropped.length === 0) return messages;
  const digest = describeTurns(dropped);
  const note = `\n\n[Herd summarised the earlier part of this step to keep it inside the model's ${options.contextWindow}-token window. What you did before, in order:\n${digest}\nFile contents you read then are not shown any more: read again what you need, in parts (read_file with startLine/endLine, or search).]`;
  return [withAppendedText(first, note), ...rest.slice(start)];
}

function describeTurns(turns: readonly BaseMessage[]): string {
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
  return lines.length > 0 ? lines.join('\n') : '- (no tool calls)';
}

function withAppendedText(message: BaseMessage, note: string): BaseMessage {
  const content: MessageContent = Array.isArray(message.content)
    ? [...message.content, { type: 'text', text: note }]
    : `${message.content}${note}`;
  return new HumanMessage({ content, ...(message.id ? { id: message.id } : {}) });
}
