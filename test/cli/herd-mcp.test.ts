import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireWorkspaceRunLock } from '@herd/engine';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFailingTestRepository } from '../engine/fixture-repository.js';
import { assertBuilt, herdBin, trustConfig } from './herd-cli.js';

beforeAll(assertBuilt);
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function herdMcp(workspace: string, onStderr?: (text: string) => void): Promise<Client> {
  const client = new Client({ name: 'herd-e2e', version: '0.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [herdBin, 'mcp', '--workspace', workspace],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', CI: 'true' },
    stderr: onStderr ? 'pipe' : 'ignore',
  });
  transport.stderr?.on('data', (chunk: Buffer) => onStderr?.(chunk.toString()));
  await client.connect(transport);
  clients.push(client);
  return client;
}

const textOf = (result: Awaited<ReturnType<Client['callTool']>>) =>
  (result.content as Array<{ text: string }>)[0]?.text ?? '';

describe('herd mcp', () => {
  it("runs a client's overlapping commands side by side, and frees the workspace after them", async () => {
    const workspace = createFailingTestRepository();
    writeFileSync(
      join(workspace, 'herd.config.json'),
      JSON.stringify({ tools: { commands: { rules: [{ program: 'node', decision: 'allow' }] } } }),
    );
    // Allowing node weakens Herd: a person accepts it before serving.
    await trustConfig(workspace);
    const client = await herdMcp(workspace);
    // Each command runs long enough for the three to overlap: one client's calls share the workspace.
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        client.callTool({
          name: 'run_command',
          arguments: { argv: ['node', '-e', 'setTimeout(() => {}, 400)'] },
        }),
      ),
    );
    expect(results.map((result) => result.isError)).toEqual([false, false, false]);
    expect(existsSync(join(workspace, '.herd', 'run.lock'))).toBe(false);
  });

  it('refuses a write while a Herd run holds the workspace, still reads, and writes once it is released', async () => {
    const workspace = createFailingTestRepository();
    const client = await herdMcp(workspace);
    const write = () =>
      client.callTool({
        name: 'write_file',
        arguments: { path: 'NOTES.md', content: 'from an MCP client\n' },
      });
    const run = acquireWorkspaceRunLock({ workspace, sessionId: 'session-acting', purpose: 'run' });

    const refused = await write();
    const read = await client.callTool({ name: 'read_file', arguments: { path: 'README.md' } });
    run.release();
    const written = await write();

    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('is being changed by a run of session session-acting');
    expect(read.isError).toBe(false);
    expect(written.isError).toBe(false);
    expect(readFileSync(join(workspace, 'NOTES.md'), 'utf8')).toBe('from an MCP client\n');
  });

  it('says once on stderr at start that commands will run unsandboxed, and how to sandbox them', async () => {
    const workspace = createFailingTestRepository();
    writeFileSync(
      join(workspace, 'herd.config.json'),
      JSON.stringify({ tools: { sandbox: { mode: 'off' } } }),
    );
    await trustConfig(workspace);
    let stderr = '';
    const client = await herdMcp(workspace, (text) => {
      stderr += text;
    });
    await client.listTools();
    await vi.waitFor(() => expect(stderr).toContain('\n'), { timeout: 10_000 });
    expect(stderr).toBe(
      'herd mcp: commands will run UNSANDBOXED (tools.sandbox.mode is off in the configuration); install bubblewrap (apt-get install bubblewrap, or dnf install bubblewrap) to sandbox them.\n',
    );
  });
});
