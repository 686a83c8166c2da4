import { randomUUID } from 'node:crypto';
import { type HerdError, ModelBehaviorError } from '@herd/core';
import { parseTextToolCalls } from '@herd/tools';
import { AIMessage, type ToolCall } from '@langchain/core/messages';
import { LimitExceededError } from '../errors/limit-exceeded-error.js';
import { parseLenientJson } from '../planner/parse-lenient-json.js';
import { createRepeatedReplyDetector } from './repeated-reply-detector.js';

/** Options for {@link createActorReplyCheck}. */
export interface ActorReplyCheckOptions {
  /** The step, for messages. */
  stepId: string;
  /** Most tool calls in the step. */
  maxToolCalls?: number;
  /** The tools the actor has, to read Llama 4 calls a host left in the message text. */
  toolNames: readonly string[];
}

/** What the check decided about one reply. */
export interface ActorReplyVerdict {
  /** The reply, with calls read from its text or whose arguments could not be read turned into tool calls. */
  reply: AIMessage;
  /** Calls (by id) to answer with this text instead of running them. */
  refusals: Map<string, string>;
  /** Set when the reply ends the step: the tool-call limit, or a loop the refusals did not break. */
  stop?: HerdError;
  /** The calls were read from the message text, where the host left them although tools were declared. */
  callsFromText?: boolean;
  /** The reply has neither text nor tool calls. */
  empty?: boolean;
  /** The reply's text was longer than {@link maxReplyCharacters}, as many characters as it had; it was cut. */
  cutFrom?: number;
}

/** Judges each actor reply as a whole before any of its tool calls runs. */
export interface ActorReplyCheck {
  /** Judges a reply, given how many tool calls the step has run so far. */
  judge(input: { reply: AIMessage; toolCallsSoFar: number }): ActorReplyVerdict;
}

/**
 * The most characters of a reply's text kept. Far past any output token limit: only a host that ignores
 * `max_tokens` sends more, usually a model repeating itself, and all of it would be stored, reported and sent back
 * with every later turn.
 */
export const maxReplyCharacters = 100_000;

/**
 * Set in `additional_kwargs` of a reply whose text held a call Herd could not read: its one tool call only carries
 * the refusal, and the reply's own text is what the model wrote.
 */
export const unreadableCallMarker = 'herd_unreadable_text_call';

/** The same calls this many replies in a row are refused instead of run. */
export const repeatedReplyRefuse = 3;
/** The same calls this many replies in a row end the step. */
export const repeatedReplyStop = 5;

/**
 * Creates the check of the actor's replies, at the boundary where they are read:
 * - Llama 4 calls left in the text (`[edit_file(...)]`, `<|python_start|>`, a JSON call) by a host that did not
 *   parse them become tool calls; one that cannot be read is refused with the reason.
 * - Calls whose arguments are not JSON, or are cut off at the output limit, are refused with the reason, never run
 *   on partly parsed arguments (which could write half a file).
 * - A reply with more calls than the step has left ends the step before any of them runs.
 * - The same calls reply after reply are refused from the third time and end the step at the fifth.
 */
export function createActorReplyCheck(options: ActorReplyCheckOptions): ActorReplyCheck {
  const repeats = createRepeatedReplyDetector();

  const judgeCalls = (reply: AIMessage, toolCallsSoFar: number): ActorReplyVerdict => {
    const refusals = new Map<string, string>();
    const recovered: ToolCall[] = [];
    const unreadable: Array<{ call: ToolCall; error: string }> = [];
    for (const invalid of reply.invalid_tool_calls ?? []) {
      const base = { name: invalid.name ?? 'unknown', ...(invalid.id ? { id: invalid.id } : {}) };
      // JSON5 (single quotes, trailing commas, comments) is what the model meant; text cut short is not JSON5.
      const args = objectOf(parseLenientJson(invalid.args ?? ''));
      if (args && invalid.name) recovered.push(toolCall({ ...base, args }));
      else unreadable.push({ call: toolCall(base), error: invalid.error ?? 'they do not parse' });
    }
    for (const { call, error } of unreadable) {
      refusals.set(
        call.id!,
        `Not run: the arguments of this ${call.name} call are not valid JSON (${error}). Send the call again with one JSON object as its arguments.`,
      );
    }
    const calls = [...(reply.tool_calls ?? []), ...recovered, ...unreadable.map(({ call }) => call)];
    for (const [index, call] of calls.entries()) {
      const lenient = call.id ? lenientRawArguments(reply, call.id) : undefined;
      if (lenient) calls[index] = { ...call, args: lenient };
    }
    const rewritten =
      recovered.length > 0 ||
      unreadable.length > 0 ||
      calls.some((call, index) => call !== reply.tool_calls?.[index]);
    const judged = rewritten ? withToolCalls(reply, calls) : reply;
    if (calls.length === 0) return { reply: judged, refusals };
    if (options.maxToolCalls !== undefined && toolCallsSoFar + calls.length > options.maxToolCalls) {
      const stop = new LimitExceededError({
        limit: 'toolCallsPerStep',
        value: toolCallsSoFar + calls.length,
        maximum: options.maxToolCalls,
      });
      return { reply: judged, refusals, stop };
    }
    const metadata = reply.response_metadata as { finish_reason?: unknown } | undefined;
    const cutOff = metadata?.finish_reason === 'length';
    for (const call of calls) {
      if (!call.id || refusals.has(call.id)) continue;
      const problem = cutOff ? 'cut off' : rawArgumentsProblem(reply, call.id);
      if (problem === undefined) continue;
      refusals.set(
        call.id,
        problem === 'cut off'
          ? `Not run: your reply was cut off at the output token limit (finish_reason "length"), so the arguments of this ${call.name} call may be incomplete. Send it again with less content, e.g. several smaller edits.`
          : `Not run: the arguments of this ${call.name} call are not complete JSON (${problem}); they may have been cut off at the output token limit. Send it again with less content, e.g. several smaller edits.`,
      );
    }
    if (refusals.size > 0) return { reply: judged, refusals };
    const repeated = repeats.observe(calls.map((call) => ({ name: call.name, args: call.args })));
    if (repeated.count >= repeatedReplyStop) {
      const stop = new ModelBehaviorError({
        code: 'tool_call_loop',
        message: `The actor sent the same tool calls ${repeated.count} times in a row (${repeated.description}) in step ${options.stepId} and ignored the refusals; run again, or use a stronger actor model.`,
        output: repeated.description,
      });
      return { reply: judged, refusals, stop };
    }
    if (repeated.count >= repeatedReplyRefuse) {
      for (const call of calls) {
        refusals.set(
          call.id ?? '',
          `Not run: you made exactly this call ${repeated.count} times in a row, and its result will not change. Use the result you already have, try something different, or finish the step with a summary.`,
        );
      }
    }
    return { reply: judged, refusals };
  };

  return {
    judge({ reply, toolCallsSoFar }) {
      const hasCalls = (reply.tool_calls?.length ?? 0) > 0 || (reply.invalid_tool_calls?.length ?? 0) > 0;
      if (hasCalls) return judgeCalls(reply, toolCallsSoFar);
      if (reply.text.trim() === '') return { reply, refusals: new Map(), empty: true };
      if (reply.text.length > maxReplyCharacters) {
        const note = `\n\n[Herd cut this reply: it was ${reply.text.length} characters long; the first ${maxReplyCharacters} are kept.]`;
        const cut = withToolCalls(reply, [], reply.text.slice(0, maxReplyCharacters) + note);
        return { reply: cut, refusals: new Map(), cutFrom: reply.text.length };
      }
      const parsed = parseTextToolCalls(reply.text, { toolNames: options.toolNames });
      if (parsed.calls.length > 0) {
        const calls = parsed.calls.map((call) => toolCall({ name: call.name, args: call.arguments }));
        const verdict = judgeCalls(withToolCalls(reply, calls, parsed.content), toolCallsSoFar);
        return { ...verdict, callsFromText: true };
      }
      if (!parsed.unreadable) return { reply, refusals: new Map() };
      const { name, problem } = parsed.unreadable;
      const call = toolCall({ name });
      const refusal = `Not run: your reply looks like a call to ${name}, but ${problem}. Send the call again, complete and well-formed, or answer in plain text when the step is done.`;
      // The call stands in for text the model wrote; replayed to a text-mode host, the text is what it sees again.
      const marked = new AIMessage({
        ...(reply.id ? { id: reply.id } : {}),
        content: reply.content,
        tool_calls: [call],
        additional_kwargs: { ...reply.additional_kwargs, [unreadableCallMarker]: true },
        response_metadata: reply.response_metadata,
        ...(reply.usage_metadata ? { usage_metadata: reply.usage_metadata } : {}),
      });
      return { reply: marked, refusals: new Map([[call.id!, refusal]]) };
    },
  };
}

function toolCall(input: { name: string; id?: string; args?: Record<string, unknown> }): ToolCall {
  return {
    id: input.id ?? `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    name: input.name,
    args: input.args ?? {},
    type: 'tool_call',
  };
}

/** The reply with these tool calls (and, when given, this text) instead of its own; nothing else changes. */
function withToolCalls(reply: AIMessage, calls: ToolCall[], content?: string): AIMessage {
  return new AIMessage({
    ...(reply.id ? { id: reply.id } : {}),
    content: content ?? reply.content,
    tool_calls: calls,
    additional_kwargs: reply.additional_kwargs,
    response_metadata: reply.response_metadata,
    ...(reply.usage_metadata ? { usage_metadata: reply.usage_metadata } : {}),
  });
}

/**
 * LangChain reads streamed arguments with a forgiving partial-JSON parser, so arguments cut off mid-string still
 * become a call (`{"content": "half a fi`). The raw text the host sent is checked here instead.
 */
function rawArgumentsProblem(reply: AIMessage, callId: string): string | undefined {
  const raw = rawArgumentsOf(reply, callId);
  if (raw === undefined) return undefined;
  try {
    JSON.parse(raw);
    return undefined;
  } catch (error) {
    return objectOf(parseLenientJson(raw)) ? undefined : (error as Error).message;
  }
}

/**
 * The arguments as JSON5 reads the raw text the host sent, when strict JSON does not: the partial-JSON parser may
 * have read `{'path': 'a.ts',}` differently, or not at all.
 */
function lenientRawArguments(reply: AIMessage, callId: string): Record<string, unknown> | undefined {
  const raw = rawArgumentsOf(reply, callId);
  if (raw === undefined) return undefined;
  try {
    JSON.parse(raw);
    return undefined;
  } catch {
    return objectOf(parseLenientJson(raw));
  }
}

function rawArgumentsOf(reply: AIMessage, callId: string): string | undefined {
  const raw = (reply.additional_kwargs?.tool_calls as RawToolCall[] | undefined)?.find(
    (call) => call.id === callId,
  )?.function?.arguments;
  return typeof raw === 'string' && raw.trim() !== '' ? raw : undefined;
}

function objectOf(parsed: { value: unknown } | { error: string }): Record<string, unknown> | undefined {
  if (!('value' in parsed)) return undefined;
  const { value } = parsed;
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

interface RawToolCall {
  id?: string;
  function?: { arguments?: unknown };
}
