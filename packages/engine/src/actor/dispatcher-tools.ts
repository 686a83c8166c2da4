import type { ToolDispatcher, ToolResult } from '@herd/tools';
import { type StructuredToolInterface, tool } from '@langchain/core/tools';

/** The LangChain face of the workspace tools: each call goes through the Herd dispatcher. */
export interface DispatcherTools {
  /** One LangChain tool per registry tool, for `createAgent({ tools })`. */
  tools: StructuredToolInterface[];
  /** The same tool, but dispatched as approved by a person (after the command policy asked). */
  approved(name: string): StructuredToolInterface | undefined;
}

/**
 * Wraps a dispatcher's tools as LangChain tools. Every call is validated, jailed, checkpointed and run by the
 * dispatcher; the tool message carries the dispatcher's {@link ToolResult} as its artifact, so middleware can see
 * approvals, errors and checkpoints.
 */
export function createDispatcherTools(options: {
  dispatcher: ToolDispatcher;
  names?: readonly string[];
}): DispatcherTools {
  const { dispatcher } = options;
  const registry = options.names ? dispatcher.registry.select(options.names) : dispatcher.registry;
  const build = (approved: boolean) =>
    registry.tools.map((definition) =>
      tool(
        async (input: Record<string, unknown>, config): Promise<[string, ToolResult]> => {
          const callId = (config as { toolCall?: { id?: string } } | undefined)?.toolCall?.id;
          const result = await dispatcher.dispatch(
            { name: definition.name, arguments: input, ...(callId ? { id: callId } : {}) },
            { approved, ...(config?.signal ? { signal: config.signal } : {}) },
          );
          return [result.content, result];
        },
        {
          name: definition.name,
          description: definition.description,
          schema: definition.input,
          responseFormat: 'content_and_artifact',
        },
      ),
    );
  const tools = build(false);
  const approvedTools = new Map(build(true).map((approvedTool) => [approvedTool.name, approvedTool]));
  return { tools, approved: (name) => approvedTools.get(name) };
}
