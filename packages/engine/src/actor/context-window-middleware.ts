import {
  createO200kTokenCounter,
  type HerdEventInput,
  maxTokensFor,
  ProviderError,
  type ResolvedModelRole,
  readContextLengthRefusal,
  replyTokenBudget,
  tokenizerMargin,
} from '@herd/core';
import { AIMessage, type BaseMessage, ToolMessage } from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { createMiddleware } from 'langchain';
import type { ChatModel } from '../planner/request-plan.js';
import { compactConversation } from './compact-conversation.js';
import { createConversationTokens, cutToTokens } from './conversation-tokens.js';

/** Options for {@link contextWindowMiddleware}. */
export interface ContextWindowMiddlewareOptions {
  /** The actor role with the windows its hosts serve, primary first, in the order of `models`. */
  role: ResolvedModelRole;
  /** The role's model followed by its fallbacks. */
  models: readonly ChatModel[];
  /** Receives `warning` events (`context_compacted`, `context_overflow`). */
  emit: (event: HerdEventInput) => void;
}

/** Share of the room left in the window one tool result may take. */
export const toolResultShare = 0.5;
/** Past this share of its input budget, a conversation is compacted before it is sent. */
export const compactionThreshold = 0.8;

const estimate = createO200kTokenCounter({ mode: 'estimate' });

/**
 * Keeps the actor's conversation inside the window its host serves, whatever the files and outputs it reads:
 * - a tool result is capped to a share of the room left in the window (in tokens), with a note telling the model
 *   how to get the rest (read_file with startLine/endLine, search);
 * - past a threshold the conversation sent is compacted (earlier tool results elided, then earlier turns
 *   summarised; see `compactConversation`), and each request asks for `min(maxOutputTokens, window − prompt −
 *   margin)` tokens;
 * - a context-length refusal from the host (any host's wording) shrinks the conversation and retries once; a
 *   second one ends the run with `context_length_exceeded`, naming the window and the fix.
 * Sits inside the routing middleware (it sizes each request for the model it goes to) and the guard (which judges
 * the capped results the model actually gets).
 */
export function contextWindowMiddleware(options: ContextWindowMiddlewareOptions) {
  const { role, models, emit } = options;
  const endpoints = [role, ...role.fallbacks];
  const tokens = createConversationTokens();
  const smallestWindow = Math.min(...endpoints.map((endpoint) => endpoint.contextWindow));
  const replyReserve = (endpoint: { contextWindow: number; maxOutputTokens: number }) =>
    Math.min(endpoint.maxOutputTokens, Math.max(256, Math.floor(endpoint.contextWindow / 4)));
  const inputBudget = (endpoint: { contextWindow: number; maxOutputTokens: number }) =>
    Math.floor((endpoint.contextWindow - replyReserve(endpoint)) * (1 - tokenizerMargin));
  const toolTokens = new WeakMap<object, number>();
  const fixedTokens = (request: { systemMessage: { text: string }; tools: readonly unknown[] }) => {
    let sum = tokens.text(request.systemMessage.text) + 8;
    for (const candidate of request.tools) {
      if (!candidate || typeof candidate !== 'object' || !('name' in candidate)) continue;
      let cost = toolTokens.get(candidate);
      if (cost === undefined) {
        cost = tokens.text(JSON.stringify(convertToOpenAITool(candidate as StructuredToolInterface)));
        toolTokens.set(candidate, cost);
      }
      sum += cost;
    }
    return sum;
  };
  let warnedCompaction = false;

  return createMiddleware({
    name: 'HerdContextWindow',
    wrapModelCall: async (request, handler) => {
      const index = Math.max(0, models.indexOf(request.model as ChatModel));
      const endpoint = endpoints[index] ?? role;
      const fixed = fixedTokens(request);
      const send = async (budgetShare: number) => {
        const budget = Math.floor(inputBudget(endpoint) * budgetShare) - fixed;
        const compacted = await compactConversation({
          messages: request.messages,
          budget,
          fixedTokens: fixed,
          tokens,
          contextWindow: endpoint.contextWindow,
        });
        if (compacted.how !== 'unchanged' && !warnedCompaction) {
          warnedCompaction = true;
          emit({
            type: 'warning',
            code: 'context_compacted',
            message: `The actor's conversation outgrew ${Math.round(compactionThreshold * 100)}% of the ${endpoint.contextWindow}-token window ${endpoint.provider} serves; earlier tool results were ${compacted.how === 'elided' ? 'elided' : 'elided and earlier turns summarised'} in what is sent (the session keeps them).`,
          });
        }
        const promptTokens = fixed + tokens.messages(compacted.messages);
        const maxTokens = Math.max(256, replyTokenBudget({ ...endpoint, promptTokens }));
        return handler({
          ...request,
          messages: compacted.messages,
          modelSettings: { ...request.modelSettings, ...maxTokensFor(maxTokens) },
        });
      };
      try {
        return await send(compactionThreshold);
      } catch (error) {
        const refusal = readContextLengthRefusal(unwrap(error));
        if (!refusal) throw error;
        emit({
          type: 'warning',
          code: 'context_overflow',
          message: `${endpoint.provider} refused the actor's request as longer than its window (${refusal.limit ?? endpoint.contextWindow} tokens); Herd shrank the conversation and is sending it again.`,
        });
        // The host's own figure wins when it names a smaller window than Herd was told.
        const share = Math.min(
          0.5,
          ((refusal.limit ?? endpoint.contextWindow) / endpoint.contextWindow) * 0.5,
        );
        try {
          return await send(share);
        } catch (again) {
          const second = readContextLengthRefusal(unwrap(again));
          if (!second) throw again;
          throw windowError({ endpoint, limit: second.limit, cause: again });
        }
      }
    },
    wrapToolCall: async (request, handler) => {
      const result = await handler(request);
      if (!ToolMessage.isInstance(result)) return result;
      const messages = (request.state as { messages?: BaseMessage[] }).messages ?? [];
      const lastCall = [...messages].reverse().find((message) => AIMessage.isInstance(message)) as
        | AIMessage
        | undefined;
      const parallel = Math.max(1, lastCall?.tool_calls?.length ?? 1);
      const used = tokens.messages(messages) + 2_000;
      const room =
        inputBudget({ contextWindow: smallestWindow, maxOutputTokens: role.maxOutputTokens }) - used;
      const floor = Math.min(1_024, Math.floor(smallestWindow / 16));
      const cap = Math.max(floor, Math.floor((room * toolResultShare) / parallel));
      return capToolResult({ result, cap, window: smallestWindow });
    },
  });
}

/** The result with its content cut to `cap` tokens and a note saying how to read the rest; unchanged when it fits. */
function capToolResult(input: { result: ToolMessage; cap: number; window: number }): ToolMessage {
  const { result, cap, window } = input;
  const text = result.text;
  const cut = cutToTokens({ text, maxTokens: cap, count: (part) => estimate.count(part) });
  if (!cut.cut) return result;
  const total = estimate.count(text);
  const shownLines = cut.text.split('\n').length - (cut.text.endsWith('\n') ? 1 : 0);
  const data = (result.artifact as { data?: { startLine?: unknown; totalLines?: unknown } } | undefined)
    ?.data;
  const firstLine = typeof data?.startLine === 'number' ? data.startLine : 1;
  const how =
    result.name === 'read_file'
      ? `call read_file with startLine=${firstLine + shownLines} (and an endLine) to read on, or search for what you need`
      : 'narrow the call (a path, a pattern, fewer results) or search for what you need';
  const note = `\n[Herd cut this result to ${cut.text.length} of ${text.length} characters (about ${total} tokens, more than the ${cap} this conversation has room for in the model's ${window}-token window)${result.name === 'read_file' ? `; shown: lines ${firstLine}-${firstLine + shownLines - 1}${typeof data?.totalLines === 'number' ? ` of ${data.totalLines}` : ''}` : ''}. To see more, ${how}.]`;
  return new ToolMessage({
    ...(result.id ? { id: result.id } : {}),
    tool_call_id: result.tool_call_id,
    ...(result.name ? { name: result.name } : {}),
    content: cut.text + note,
    artifact: result.artifact,
    ...(result.status ? { status: result.status } : {}),
  });
}

function windowError(input: {
  endpoint: ResolvedModelRole | ResolvedModelRole['fallbacks'][number];
  limit: number | undefined;
  cause: unknown;
}): ProviderError {
  const { endpoint, limit } = input;
  const window = limit ?? endpoint.contextWindow;
  return new ProviderError({
    code: 'context_length_exceeded',
    provider: endpoint.provider,
    model: endpoint.model,
    status: 400,
    cause: input.cause,
    message: `${endpoint.provider} refused the actor's request twice as longer than the ${window}-token context window it serves ${endpoint.model} with, even after Herd shrank the conversation; serve a larger window (vLLM: --max-model-len, Ollama: OLLAMA_CONTEXT_LENGTH, llama.cpp: -c) and set roles.actor.contextWindow to it (or HERD_CONTEXT_WINDOW), or split the task into smaller steps.`,
  });
}

/** LangChain wraps what inner middleware throws; the host's error is in the cause chain. */
function unwrap(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth++) {
    if (readContextLengthRefusal(current)) return current;
    const cause = (current as { cause?: unknown } | undefined)?.cause;
    if (cause === undefined) return error;
    current = cause;
  }
  return error;
}
