import type * as acp from '@agentclientprotocol/sdk';
import { connectMcpServerTools, type McpServerTools, type ToolDefinition } from '@herd/tools';

/** The MCP servers an editor gave a session, started when a prompt needs their tools. */
export interface EditorMcpServers {
  /** Takes the servers of `session/new`, `session/load` or `session/resume`; changed servers are started anew. */
  set(servers: readonly acp.McpServer[]): Promise<void>;
  /** Starts the servers not yet running; says, per server, why one could not be used. */
  connect(): Promise<{ tools: ToolDefinition[]; warnings: string[] }>;
  /**
   * The variables the editor gives its stdio servers (their API keys and tokens), each named
   * `<server>:<VARIABLE>` so that none can stand for a variable of Herd's own: given to Herd's redactor beside its
   * environment, their values are redacted wherever a server quotes them (a tool result, an error).
   */
  secretEnvironment(): Record<string, string>;
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
  // Servers the editor named since the running ones were started; they are started at the next prompt, never
  // under a prompt that is using the running ones.
  let stale = true;

  async function close(): Promise<void> {
    const closing = connections ?? [];
    connections = undefined;
    stale = true;
    await Promise.all(closing.map((connection) => connection.close().catch(() => {})));
  }

  return {
    async set(servers) {
      if (JSON.stringify(servers) === JSON.stringify(wanted)) return;
      wanted = [...servers];
      stale = true;
    },
    async connect() {
      await close();
      const starting = wanted;
      const started: McpServerTools[] = [];
      const warnings: string[] = [];
      for (const server of starting) {
        if ('type' in server && (server.type === 'http' || server.type === 'sse')) {
          warnings.push(
            `The MCP server '${server.name}' is skipped: Herd connects to stdio servers only (this one is ${server.type}).`,
          );
          continue;
        }
        try {
          started.push(
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
      connections = started;
      stale = wanted !== starting;
      return { tools: distinctTools(connections, warnings), warnings };
    },
    secretEnvironment() {
      return Object.fromEntries(
        wanted.flatMap((server) =>
          'env' in server
            ? server.env.map((variable) => [`${server.name}:${variable.name}`, variable.value])
            : [],
        ),
      );
    },
    get changed() {
      return stale || connections === undefined;
    },
    close,
  };
}

/** The servers' tools, each name once: two servers whose names clean up alike would otherwise clash. */
function distinctTools(connections: readonly McpServerTools[], warnings: string[]): ToolDefinition[] {
  const byName = new Map<string, ToolDefinition>();
  for (const connection of connections) {
    for (const tool of connection.tools) {
      if (byName.has(tool.name)) {
        warnings.push(
          `The tool ${tool.name} of the MCP server '${connection.server}' is skipped: another server's tool has the same name.`,
        );
        continue;
      }
      byName.set(tool.name, tool);
    }
  }
  return [...byName.values()];
}
