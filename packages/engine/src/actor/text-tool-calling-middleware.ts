import { randomUUID } from 'node:crypto';
import { formatPythonicToolCalls, parseTextToolCalls } from '@herd/tools';
import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { createMiddleware } from 'langchain';
import { unreadableCallMarker } from './actor-reply-check.js';

/**
 * The tool instructions of Llama 4's zero-shot function-calling format (`models/llama4/prompt_format.md`): the
 * function definitions as a JSON list, and the answer as a pythonic list of calls with no other text.
 */
export function zeroShotToolPrompt(functions: readonly unknown[]): string {
  return [
    'You have access to the functions below. When you decide to call one or more of them, answer ONLY with a',
    'python list of calls in the format [func_name1(param_name1=value1, param_name2=value2), func_name2(param=value)]',
    'and no other text. Use JSON-style literals for values (strings in double quotes, lists, objects, true/false).',
    'When you do not call a function, answer normally in plain text. NEVER combine text and function calls, and never',
    'answer with an empty list.',
    '',
    'Here is a list of functions in JSON format that you can invoke:',
    JSON.stringify(functions, null, 2),
  ].join('\n');
}

/**
 * For hosts that return Llama 4 tool calls inside the message text (`toolCalling: text`): describes the tools in
 * the system prompt in Llama 4's zero-shot format instead of sending `tools`, rewrites earlier tool calls and
 * results as plain turns, and turns the pythonic (or JSON) calls in the reply into ordinary tool calls, so the rest
 * of the agent loop cannot tell the difference.
 */
export function textToolCallingMiddleware() {
  return createMiddleware({
    name: 'HerdTextToolCalling',
    wrapModelCall: async (request, handler) => {
      const tools = request.tools.filter(
        (candidate): candidate is StructuredToolInterface =>
          typeof candidate === 'object' && candidate !== null && 'name' in candidate,
      );
      if (tools.length === 0) return handler(request);
      const functions = tools.map((candidate) => convertToOpenAITool(candidate).function);
      const systemMessage = new SystemMessage(
        [request.systemMessage.text, zeroShotToolPrompt(functions)]
          .filter((part) => part.length > 0)
          .join('\n\n'),
      );
      const response = await handler({
        ...request,
        tools: [],
        systemMessage,
        messages: request.messages.map(asPlainTurn),
      });
      if (!AIMessage.isInstance(response)) return response;
      const parsed = parseTextToolCalls(response.text, {
        toolNames: tools.map((candidate) => candidate.name),
      });
      if (parsed.calls.length === 0) return response;
      return new AIMessage({
        content: parsed.content,
        tool_calls: parsed.calls.map((call) => ({
          id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
          name: call.name,
          args: call.arguments,
          type: 'tool_call' as const,
        })),
        ...(response.usage_metadata ? { usage_metadata: response.usage_metadata } : {}),
        response_metadata: response.response_metadata,
      });
    },
  });
}

/** Rewrites native tool-call turns as text turns for a host that does not take `tool_calls` or `tool` messages. */
function asPlainTurn(message: BaseMessage): BaseMessage {
  // A reply cut before its call was complete is replayed as the model wrote it; the refusal follows as its result.
  if (AIMessage.isInstance(message) && message.additional_kwargs?.[unreadableCallMarker] === true) {
    return new AIMessage(message.text);
  }
  if (AIMessage.isInstance(message) && (message.tool_calls?.length ?? 0) > 0) {
    const calls = formatPythonicToolCalls(
      message.tool_calls!.map((call) => ({ name: call.name, arguments: call.args })),
    );
    return new AIMessage([message.text, calls].filter((part) => part.length > 0).join('\n'));
  }
  if (ToolMessage.isInstance(message)) {
    return new HumanMessage(`Result of ${message.name ?? 'the function call'}:\n${message.text}`);
  }
  return message;
}
