import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import {
  checkMcpSchemaConformance,
  describeMcpSchemaViolations,
  type McpSchemaConformance,
} from './mcp-schema-conformance.js';

// The server is spawned with node from the built output (packages/tools/dist), which `npx tsc -b` produces;
// the repository's test command builds before vitest runs.
const script = fileURLToPath(new URL('./fixtures/serve-built-tools.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)));
if (!built)
  console.warn(
    'Skipping the MCP stdio test: packages/tools/dist is missing; run `npx tsc -b packages/tools` first.',
  );

const clients: Client[] = [];
const conformances: McpSchemaConformance[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  // Whatever a test asserts, everything the server sent must be what MCP allows.
  const violations = conformances.splice(0).flatMap((conformance) => conformance.violations);
  if (violations.length > 0) expect.fail(describeMcpSchemaViolations(violations));
});

const connect = async (workspace: string, config: unknown = { fetchUrl: { enabled: false } }) => {
  const client = new Client({ name: 'herd-test', version: '0.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [script, workspace, JSON.stringify(config)],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/',
      XDG_CACHE_HOME: path.join(workspace, '..', 'cache'),
    },
    stderr: 'pipe',
  });
  const conformance = checkMcpSchemaConformance(transport);
  conformances.push(conformance);
  await client.connect(conformance.transport);
  clients.push(client);
  return client;
};

describe.skipIf(!built)('serveMcpOverStdio with the SDK client over stdio', () => {
  it('lists the built-in tools with schemas and MCP annotations', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'hello' });
    const client = await connect(root);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'read_file',
        'list_files',
        'glob',
        'search',
        'write_file',
        'edit_file',
        'run_command',
        'git_status',
        'git_diff',
      ]),
    );
    expect(names).not.toContain('fetch_url');
    const readFileTool = tools.find((tool) => tool.name === 'read_file');
    expect(readFileTool?.inputSchema).toMatchObject({ type: 'object', required: ['path'] });
    expect(readFileTool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(tools.find((tool) => tool.name === 'write_file')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
  });

  it('calls a tool and gets its output', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'hello from the workspace' });
    const client = await connect(root);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(result.isError).toBe(false);
    expect(result.content).toEqual([{ type: 'text', text: 'hello from the workspace' }]);
    const written = await client.callTool({
      name: 'write_file',
      arguments: { path: 'b.txt', content: 'via mcp' },
    });
    expect(written.isError).toBe(false);
    expect(await readFile(path.join(root, 'b.txt'), 'utf8')).toBe('via mcp');
  });

  it('returns a schema error as isError with a message the model can act on', async () => {
    const { root } = await createTemporaryWorkspace();
    const client = await connect(root);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 42 } });
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0]?.text).toContain("'path' must be string");
  });

  it('returns jail refusals and unknown tools as isError', async () => {
    const { root } = await createTemporaryWorkspace();
    const client = await connect(root);
    const escaped = await client.callTool({
      name: 'read_file',
      arguments: { path: '../outside/secret.txt' },
    });
    expect(escaped.isError).toBe(true);
    expect((escaped.content as Array<{ text: string }>)[0]?.text).not.toContain('outside secret');
    const unknown = await client.callTool({ name: 'rm_rf', arguments: {} });
    expect(unknown.isError).toBe(true);
    expect((unknown.content as Array<{ text: string }>)[0]?.text).toContain('Available tools:');
  });
});
