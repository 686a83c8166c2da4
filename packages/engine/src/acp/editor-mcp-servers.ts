import type * as acp from '@agentclientprotocol/sdk';
import { connectMcpServerTools, type McpServerTools, type ToolDefinition } from '@herd/tools';

/** The MCP servers an editor gave a session, started when a prompt needs their tools. */
export interface EditorMcpServers {
  /** Takes the servers of `session/new`, `session/load` or `session/resume`; changed servers are started anew. */
  set(servers: readonly acp.McpServer[]): Promise<void>;
  /** Starts the servers not yet running; says, per server, why one could not be used. */
  connect(): Promise<{ tools: ToolDefinition[]; warnings: string[] }>;
  /** True when the servers must be (re)started: never started, changed, or stopped since. */
  readonly changed: boolean;
  /** Stops every server. */
  close(): Promise<void>;
}

/**
 * Keeps the editor's MCP servers of one session (ACP asks every agent to support stdio servers): each is started
 * in the session's folder with the environment the editor named, and its tools join the built-in ones as
 * `mcp__<server>__<tool>`. HTTP and SSE servers are not offered in `initialize`, so an editor sending one is told
 * it is skipped.
 */
export function createEditorMcpServers(options: { cwd: string }): EditorMcpServers {
  let wanted: readonly acp.McpServer[] = [];
  let connections: McpServerTools[] | undefined;

  async function close(): Promise<void> {
    const closing = connections ?? [];
    connections = undefined;
    await Promise.all(closing.map((connection) => connection.close().catch(() => {})));
  }

  return {
    async set(servers) {
      if (JSON.stringify(servers) === JSON.stringify(wanted)) return;
      wanted = [...servers];
      await close();
    },
    async connect() {
      const warnings: string[] = [];
      if (!connections) {
        connections = [];
        for (const server of wanted) {
          if ('type' in server && (server.type === 'http' || server.type === 'sse')) {
            warnings.push(
              `The MCP server '${server.name}' is skipped: Herd connects to stdio servers only (this one is ${server.type}).`,
            );
            continue;
          }
          try {
            connections.push(
              await connectMcpServerTools({
                server: {
                  name: server.name,
                  command: server.command,
                  args: server.args,
                  env: Object.fromEntries(server.env.map((variable) => [variable.name, variable.value])),
                  cwd: options.cwd,
                },
              }),
            );
          } catch (error) {
            warnings.push(`${(error as Error).message} Its tools are not available in this prompt.`);
          }
        }
      }
      return { tools: connections.flatMap((connection) => connection.tools), warnings };
    },
    get changed() {
      return connections === undefined;
    },
    close,
  };
}
