import { AIMessage, type BaseMessage, SystemMessage } from '@langchain/core/messages';

/**
 * The messages as a Llama chat template takes them. LangChain's agent sends its system prompt as an array of
 * content parts and names every assistant turn `model`; some chat templates accept only string system content, and
 * a `name` is not part of the Llama 4 format. System text parts are joined into a string (parts stay when an image
 * needs them), and assistant turns lose the name. Nothing else changes.
 */
export function plainOutgoingMessages(messages: readonly BaseMessage[]): BaseMessage[] {
  return messages.map((message) => {
    if (SystemMessage.isInstance(message) && Array.isArray(message.content)) {
      const parts = message.content as Array<{ type?: unknown; text?: unknown }>;
      if (!parts.every((part) => part.type === 'text' && typeof part.text === 'string')) return message;
      return new SystemMessage({
        content: parts.map((part) => part.text as string).join('\n'),
        ...(message.id ? { id: message.id } : {}),
      });
    }
    if (AIMessage.isInstance(message) && message.name !== undefined) {
      return new AIMessage({
        content: message.content,
        tool_calls: message.tool_calls ?? [],
        invalid_tool_calls: message.invalid_tool_calls ?? [],
        additional_kwargs: message.additional_kwargs,
        response_metadata: message.response_metadata,
        ...(message.id ? { id: message.id } : {}),
        ...(message.usage_metadata ? { usage_metadata: message.usage_metadata } : {}),
      });
    }
    return message;
  });
}
