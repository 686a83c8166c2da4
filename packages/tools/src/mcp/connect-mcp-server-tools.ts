import { SystemError, UserError } from '@herd/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ApprovalRequiredError } from '../errors/approval-required-error.js';
import { defineTool, type ToolDefinition } from '../tool/define-tool.js';

/** An MCP server to start over stdio, as an editor names it (ACP `session/new` `mcpServers`). */
export interface McpStdioServer {
  /** The name the editor gives it; tools are named `mcp__<name>__<tool>`. */
  name: string;
  command: string;
  args?: readonly string[];
  /** Variables added to a minimal environment (PATH, HOME, …), as MCP clients do. */
  env?: Readonly<Record<string, string>>;
  /** Where the server runs; the workspace. */
  cwd?: string;
}

/** The tools of a connected MCP server, and the connection to close. */
export interface McpServerTools {
  readonly server: string;
  readonly tools: readonly ToolDefinition[];
  /** Stops the server process. */
  close(): Promise<void>;
}

const toolNamePart = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '_');

/** The name Herd gives an MCP server's tool: `mcp__<server>__<tool>`, cut to the 64 characters tool names allow. */
export function mcpToolName(options: { server: string; tool: string }): string {
  return `mcp__${toolNamePart(options.server)}__${toolNamePart(options.tool)}`.slice(0, 64);
}

/**
 * Starts an MCP server over stdio, lists its tools and returns them as Herd tools, so the actor calls them through
 * the dispatcher like any other (arguments validated, results through the guard at `tool_output`). A tool the
 * server marks read-only (`readOnlyHint`) runs without asking; any other asks a person first, as a command the
 * policy asks about does ("allow always" is remembered per tool).
 *
 * @throws {UserError} `mcp_server_failed` when the server cannot be started or does not answer `tools/list`.
 */
export async function connectMcpServerTools(options: {
  server: McpStdioServer;
  /** How long a call may take before it is stopped; default 120 s. */
  callTimeoutMs?: number;
}): Promise<McpServerTools> {
  const { server } = options;
  const transport = new StdioClientTransport({
    command: server.command,
    args: [...(server.args ?? [])],
    env: { ...getDefaultEnvironment(), ...server.env },
    ...(server.cwd ? { cwd: server.cwd } : {}),
    stderr: 'ignore',
  });
  const client = new Client({ name: 'herd', version: '1' });
  let listed: Tool[];
  try {
    await client.connect(transport);
    listed = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      listed.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
  } catch (error) {
    await client.close().catch(() => {});
    throw new UserError({
      code: 'mcp_server_failed',
      message: `The MCP server '${server.name}' (${[server.command, ...(server.args ?? [])].join(' ')}) could not be started or listed its tools (${(error as Error).message}); check its command in the editor's settings.`,
      cause: error,
    });
  }
  const timeoutMs = options.callTimeoutMs ?? 120_000;
  return {
    server: server.name,
    tools: listed.map((tool) => toHerdTool({ client, server: server.name, tool, timeoutMs })),
    close: () => client.close(),
  };
}

function toHerdTool(options: { client: Client; server: string; tool: Tool; timeoutMs: number }) {
  const { client, server, tool, timeoutMs } = options;
  const readOnly = tool.annotations?.readOnlyHint === true;
  return defineTool({
    name: mcpToolName({ server, tool: tool.name }),
    description: `${tool.description?.trim() || tool.title || tool.name} (tool '${tool.name}' of the MCP server '${server}')`,
    input: inputSchemaOf(tool),
    access: readOnly ? 'read' : 'exec',
    openWorld: tool.annotations?.openWorldHint ?? true,
    timeoutMs: timeoutMs + 5_000,
    async run(input, context) {
      if (!readOnly && !context.approved) {
        throw new ApprovalRequiredError({
          kind: 'command',
          tool: mcpToolName({ server, tool: tool.name }),
          argv: [server, tool.name, JSON.stringify(input).slice(0, 200)],
          rule: `mcp ${server} ${tool.name}`,
          reason: `'${tool.name}' comes from the editor's MCP server '${server}', runs outside Herd's workspace jail and sandbox, and may change what an undo cannot restore`,
        });
      }
      const result = (await client.callTool({ name: tool.name, arguments: input }, undefined, {
        signal: context.signal,
        timeout: timeoutMs,
      })) as CallToolResult;
      const text = textOf(result);
      if (result.isError) {
        throw new SystemError({
          code: 'mcp_tool_failed',
          message: `The MCP tool '${tool.name}' of '${server}' failed: ${text.slice(0, 2_000) || 'no details'}.`,
        });
      }
      return result.structuredContent ? { content: text, data: result.structuredContent } : text;
    },
  });
}

/** The tool's JSON Schema as zod; one that zod cannot express takes any object, and the server validates. */
function inputSchemaOf(tool: Tool): z.ZodObject {
  try {
    const schema = z.fromJSONSchema(tool.inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
    if (schema instanceof z.ZodObject) return schema;
  } catch {
    // Falls through to an open object.
  }
  return z.looseObject({});
}

function textOf(result: CallToolResult): string {
  return result.content
    .map((block) => {
      if (block.type === 'text') return block.text;
      if (block.type === 'resource' && 'text' in block.resource) return block.resource.text;
      if (block.type === 'resource_link') return `[resource ${block.uri}]`;
      return `[${block.type} content omitted]`;
    })
    .join('\n');
}
