import { HerdError } from '@herd/core';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { ToolDispatcher } from '../dispatcher/tool-dispatcher.js';
import type { ToolResult, ToolResultError } from '../dispatcher/tool-result.js';
import { askMcpClientForApproval } from './ask-mcp-client-for-approval.js';

/** Options for {@link createMcpServer}. */
export interface CreateMcpServerOptions {
  /** The dispatcher whose registry is served. */
  dispatcher: ToolDispatcher;
  /** Server name reported to clients. Default `herd`. */
  name?: string;
  /** Server version reported to clients. */
  version?: string;
  /** The workspace root, named when the client is asked to approve a command. */
  workspace?: string;
  /** Milliseconds to wait for a person to answer an approval question. Default 600000 (ten minutes). */
  approvalTimeoutMs?: number;
  /**
   * Called before a tool that may change the workspace (write or exec access) runs, and released after it: throw
   * a Herd error to refuse the call, e.g. while an agent run holds the workspace (`herd mcp` passes its run lock).
   */
  holdWorkspace?: (toolName: string) => { release(): void };
}

const toCallToolResult = (result: ToolResult) => ({
  content: [{ type: 'text' as const, text: result.content }],
  isError: !result.ok,
  ...(result.data !== undefined &&
  typeof result.data === 'object' &&
  result.data !== null &&
  !Array.isArray(result.data)
    ? { structuredContent: result.data as Record<string, unknown> }
    : {}),
});

const refusal = (error: ToolResultError) => ({
  content: [
    {
      type: 'text' as const,
      text: error.hint ? `Error: ${error.message} ${error.hint}` : `Error: ${error.message}`,
    },
  ],
  isError: true,
});

/**
 * Creates an MCP server (low-level `Server` of `@modelcontextprotocol/sdk`) that lists the registry's tools with
 * their JSON Schemas and `readOnlyHint`/`destructiveHint` annotations and runs calls through the dispatcher.
 * A failed call, including invalid arguments, is a result with `isError: true` and the model-readable message.
 * A call the command policy would ask a person about is put to the client as an `elicitation/create` question
 * when the client supports elicitation, and runs only when the person accepts with `allow` set; "remember" skips
 * the question for the same argv until the connection closes. Without elicitation such calls are refused with a
 * message saying how to allow them. Denied commands are refused without asking. Tools are neither listed nor run
 * before the client has sent `initialize`.
 */
export function createMcpServer(options: CreateMcpServerOptions): Server {
  const { dispatcher, name = 'herd', version = '0.1.0', workspace, approvalTimeoutMs = 600_000 } = options;
  const server = new Server({ name, version }, { capabilities: { tools: {} } });
  // Commands a person allowed "for this session": exact argv, for the life of this server's connection.
  const remembered = new Set<string>();
  // MCP's lifecycle: nothing but ping before `initialize`. A tool called before it is refused, never run, so a peer
  // that skips the handshake cannot act before the server knows what the client can be asked.
  const assertInitialized = (method: string) => {
    if (server.getClientVersion() === undefined) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `${method} before initialize: send initialize (and notifications/initialized) first; nothing was run.`,
      );
    }
  };
  server.setRequestHandler(ListToolsRequestSchema, () => {
    assertInitialized('tools/list');
    return { tools: dispatcher.registry.toMcpTools() };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    assertInitialized('tools/call');
    const call = { name: request.params.name, arguments: request.params.arguments ?? {} };
    const changes = (dispatcher.registry.get(call.name)?.access ?? 'read') !== 'read';
    // The workspace is held only while a call runs, never while a person is asked about it.
    const run = async (
      approved: boolean,
    ): Promise<{ result: ToolResult } | { refused: ReturnType<typeof refusal> }> => {
      let hold: { release(): void } | undefined;
      try {
        hold = changes ? options.holdWorkspace?.(call.name) : undefined;
      } catch (error) {
        const herdError = HerdError.find(error);
        if (!herdError) throw error;
        return {
          refused: refusal({
            code: herdError.code,
            message: herdError.message,
            ...(herdError.hint ? { hint: herdError.hint } : {}),
          }),
        };
      }
      try {
        return {
          result: await dispatcher.dispatch(call, {
            signal: extra.signal,
            ...(approved ? { approved } : {}),
          }),
        };
      } finally {
        hold?.release();
      }
    };
    const first = await run(false);
    if ('refused' in first) return first.refused;
    const { result } = first;
    if (!result.approval) return toCallToolResult(result);
    // The exact call: the same argv in another folder or with another script on stdin is another command.
    const key = JSON.stringify([
      result.approval.argv,
      result.approval.cwd ?? '.',
      result.approval.stdin ?? null,
    ]);
    if (!remembered.has(key)) {
      const answer = await askMcpClientForApproval({
        server,
        approval: result.approval,
        ...(workspace ? { workspace } : {}),
        relatedRequestId: extra.requestId,
        signal: extra.signal,
        timeoutMs: approvalTimeoutMs,
      });
      if (!answer.approved) return refusal(answer.error);
      if (answer.remember) remembered.add(key);
    }
    const approved = await run(true);
    return 'refused' in approved ? approved.refused : toCallToolResult(approved.result);
  });
  return server;
}
