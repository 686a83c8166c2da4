import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createWorkspaceTools } from '../workspace/create-workspace-tools.js';
import { type CreateMcpServerOptions, createMcpServer } from './create-mcp-server.js';

/** Options for {@link serveMcpOverStdio}. */
export interface ServeMcpOverStdioOptions {
  /** The workspace root. Default: the current directory. */
  workspace?: string;
  /** The raw `tools` section of the Herd configuration. */
  config?: unknown;
  /** Where the configuration came from, for error messages. */
  configSource?: string;
  /** Server version reported to clients. */
  version?: string;
  /** See {@link CreateMcpServerOptions.holdWorkspace}. */
  holdWorkspace?: CreateMcpServerOptions['holdWorkspace'];
  /** Standard input and output to speak MCP on. Default: the process's. */
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

/**
 * Serves the workspace's built-in tools as an MCP server over stdio until the client disconnects. Resolves when
 * the connection closes.
 *
 * @throws ConfigError or UserError before serving when the configuration or workspace is invalid.
 */
export async function serveMcpOverStdio(options: ServeMcpOverStdioOptions = {}): Promise<void> {
  const { dispatcher, jail } = await createWorkspaceTools({
    workspace: options.workspace ?? process.cwd(),
    config: options.config,
    ...(options.configSource ? { configSource: options.configSource } : {}),
  });
  const server = createMcpServer({
    dispatcher,
    workspace: jail.root,
    ...(options.version ? { version: options.version } : {}),
    ...(options.holdWorkspace ? { holdWorkspace: options.holdWorkspace } : {}),
  });
  const transport = new StdioServerTransport(
    options.stdin as ConstructorParameters<typeof StdioServerTransport>[0],
    options.stdout as ConstructorParameters<typeof StdioServerTransport>[1],
  );
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
  });
  const input = options.stdin ?? process.stdin;
  input.once('end', () => {
    void server.close();
  });
  await server.connect(transport);
  await closed;
}
