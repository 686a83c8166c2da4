import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createWorkspaceTools } from '../workspace/create-workspace-tools.js';
import { type CreateMcpServerOptions, createMcpServer } from './create-mcp-server.js';
import {
  describeOversizedMessage,
  limitJsonRpcLines,
  maxJsonRpcMessageBytes,
  oversizedMessageError,
} from './limit-json-rpc-lines.js';

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
  /** Where a dropped message is reported. Default: the process's stderr. */
  stderr?: NodeJS.WritableStream;
  /** Largest JSON-RPC message read, in bytes. Default {@link maxJsonRpcMessageBytes} (32 MiB). */
  maxMessageBytes?: number;
}

/**
 * Serves the workspace's built-in tools as an MCP server over stdio until the client disconnects. Resolves when
 * the connection closes. A message over the size limit is not read: a request gets a JSON-RPC error naming the
 * limit, stderr says what was dropped, and the server goes on serving.
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
  const maxBytes = options.maxMessageBytes ?? maxJsonRpcMessageBytes;
  const stderr = options.stderr ?? process.stderr;
  const input = options.stdin ?? process.stdin;
  const lines = limitJsonRpcLines({
    maxBytes,
    onOversized: (message) => {
      stderr.write(`${describeOversizedMessage(message, 'herd mcp')}\n`);
      const answer = oversizedMessageError(message, 'herd mcp');
      if (answer) void transport.send(answer).catch(() => {});
    },
  });
  input.pipe(lines);
  // Every line reaching the SDK's reader is within the limit; its own cap (10 MB by default) must not be lower.
  const transport = new StdioServerTransport(
    lines,
    options.stdout as ConstructorParameters<typeof StdioServerTransport>[1],
    { maxBufferSize: 2 * maxBytes + 2 },
  );
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
  });
  // After the last line is through (the input's own end can come before the lines it ended are read).
  lines.once('end', () => {
    void server.close();
  });
  await server.connect(transport);
  await closed;
}
