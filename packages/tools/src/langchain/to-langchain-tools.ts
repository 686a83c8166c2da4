import { type DynamicStructuredTool, tool } from '@langchain/core/tools';
import type { ToolDispatcher } from '../dispatcher/tool-dispatcher.js';
import { toolInputJsonSchema } from '../tool/tool-json-schema.js';

/** Options for {@link toLangChainTools}. */
export interface ToLangChainToolsOptions {
  /** The dispatcher whose registry is exposed; every call goes through it (validation, checkpoints, limits). */
  dispatcher: ToolDispatcher;
  /** Only these tools (default: all in the registry). */
  names?: readonly string[];
  /** Treat every call as approved by a person (e.g. after an approval middleware agreed). Default false. */
  approved?: boolean;
}

/**
 * Exposes each tool as a LangChain `StructuredTool` (built with `tool()` from `@langchain/core/tools`) for any
 * `createAgent`. Calls go through the dispatcher, so a failure comes back to the model as an `Error: …` message
 * it can correct, never as an exception; the full `ToolResult` (including an `approval` request or a
 * `checkpointId`) is the message's artifact. The schema the model sees is {@link toolInputJsonSchema}'s (a default
 * makes a parameter optional); LangChain's own conversion of the zod schema would mark defaults as required.
 *
 * @example
 * const agent = createAgent({ model, tools: toLangChainTools({ dispatcher }) });
 */
export function toLangChainTools(options: ToLangChainToolsOptions): DynamicStructuredTool[] {
  const { dispatcher, names, approved = false } = options;
  return dispatcher.registry.tools
    .filter((definition) => !names || names.includes(definition.name))
    .map(
      (definition) =>
        tool(
          async (input: Record<string, unknown>, config) => {
            const result = await dispatcher.dispatch(
              {
                name: definition.name,
                arguments: input,
                ...(config?.toolCall?.id ? { id: config.toolCall.id } : {}),
              },
              { approved, ...(config?.signal ? { signal: config.signal } : {}) },
            );
            return [result.content, result] as const;
          },
          {
            name: definition.name,
            description: definition.description,
            // The dispatcher validates with the zod schema (and applies its defaults).
            schema: toolInputJsonSchema(definition.input),
            responseFormat: 'content_and_artifact',
            verboseParsingErrors: true,
          },
        ) as unknown as DynamicStructuredTool,
    );
}
