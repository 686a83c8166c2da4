import type { BaseMessage } from '@langchain/core/messages';
import { ChatOpenAICompletions } from '@langchain/openai';
import { maxTokensCallOption } from './max-tokens-call-option.js';
import { plainOutgoingMessages } from './plain-outgoing-messages.js';

/**
 * The chat-completions client of every Herd chat model. It caps `max_tokens` per call (so a request never asks for
 * more than the served window has left after its prompt) and sends messages the way Llama chat templates take them:
 * system content as a string unless it carries an image, and assistant turns without LangChain's agent `name`.
 */
export class ServedWindowCompletions extends ChatOpenAICompletions {
  override invocationParams(
    options?: this['ParsedCallOptions'],
    extra?: { streaming?: boolean },
  ): ReturnType<ChatOpenAICompletions['invocationParams']> {
    const params = super.invocationParams(options, extra);
    const cap = (options as Record<string, unknown> | undefined)?.[maxTokensCallOption];
    if (typeof cap !== 'number') return params;
    const current = params.max_tokens ?? params.max_completion_tokens ?? undefined;
    const capped = current === undefined || current === null ? cap : Math.min(current, cap);
    return params.max_completion_tokens !== undefined && params.max_completion_tokens !== null
      ? { ...params, max_completion_tokens: capped }
      : { ...params, max_tokens: capped };
  }

  override _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: Parameters<ChatOpenAICompletions['_generate']>[2],
  ) {
    return super._generate(plainOutgoingMessages(messages), options, runManager);
  }

  override _streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: Parameters<ChatOpenAICompletions['_streamResponseChunks']>[2],
  ) {
    return super._streamResponseChunks(plainOutgoingMessages(messages), options, runManager);
  }
}
