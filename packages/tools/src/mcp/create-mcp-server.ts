import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDispatcher } from '../dispatcher/tool-dispatcher.js';

/** Options for {@link createMcpServer}. */
export interface CreateMcpServerOptions {
  /** The dispatcher whose registry is served. */
  dispatcher: ToolDispatcher;
  /** Server name reported to clients. Default `herd`. */
  name?: string;
  /** Server version reported to clients. */
  version?: string;
}

/**
 * Creates an MCP server (low-level `Server` of `@modelcontextprotocol/sdk`) that lists the registry's tools with
 * their JSON Schemas and `readOnlyHint`/`destructiveHint` annotations and runs calls through the dispatcher.
 * A failed call, including invalid arguments, is a result with `isError: true` and the model-readable message.
 * Calls the policy would ask a person about are refused here, since MCP clients approve on their side.
 */
export function createMcpServer(options: CreateMcpServerOptions): Server {
  const { dispatcher, name = 'herd', version = '0.1.0' } = options;
  const server = new Server({ name, version }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: dispatcher.registry.toMcpTools() }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const result = await dispatcher.dispatch(
      { name: request.params.name, arguments: request.params.arguments ?? {} },
      { signal: extra.signal },
    );
    return {
      content: [{ type: 'text' as const, text: result.content }],
      isError: !result.ok,
      ...(result.data !== undefined &&
      typeof result.data === 'object' &&
      result.data !== null &&
      !Array.isArray(result.data)
        ? { structuredContent: result.data as Record<string, unknown> }
        : {}),
    };
  });
  return server;
}
