import { type ToolDispatcher, toLangChainTools } from '@herd/tools';
import type { StructuredToolInterface } from '@langchain/core/tools';

/** The LangChain face of the workspace tools, plus their approved twins. */
export interface DispatcherTools {
  /** The dispatcher the tools call. */
  dispatcher: ToolDispatcher;
  /** One LangChain tool per registry tool, for `createAgent({ tools })`. */
  tools: StructuredToolInterface[];
  /** The same tool, but dispatched as approved by a person (after the command policy asked). */
  approved(name: string): StructuredToolInterface | undefined;
}

/**
 * Wraps a dispatcher's tools as LangChain tools (every call is validated, jailed, checkpointed and run by the
 * dispatcher, with its `ToolResult` as the message artifact), and keeps an approved twin of each so the plan
 * contract middleware can re-run a call a person approved.
 */
export function createDispatcherTools(options: {
  dispatcher: ToolDispatcher;
  names?: readonly string[];
}): DispatcherTools {
  const selection = options.names ? { names: options.names } : {};
  const tools = toLangChainTools({ dispatcher: options.dispatcher, ...selection });
  const approvedTools = new Map(
    toLangChainTools({ dispatcher: options.dispatcher, ...selection, approved: true }).map((approvedTool) => [
      approvedTool.name,
      approvedTool,
    ]),
  );
  return { dispatcher: options.dispatcher, tools, approved: (name) => approvedTools.get(name) };
}
