import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFailingTestRepository } from '../engine/fixture-repository.js';
import { assertBuilt, herdBin } from './herd-cli.js';

beforeAll(assertBuilt);
const clients: Client[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const environment = () => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/',
  CI: 'true',
  XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'herd-state-')),
});

const MiB = 1024 * 1024;

describe('herd mcp input limits (the official MCP SDK client over stdio)', () => {
  it('writes a 12 MB file, answers a 33 MiB call with an error naming the limit, and keeps serving', async () => {
    const workspace = createFailingTestRepository();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [herdBin, 'mcp', '--workspace', workspace],
      env: environment(),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const client = new Client({ name: 'herd-e2e', version: '0.0.0' });
    await client.connect(transport);
    clients.push(client);

    // Was: one message over 10 MB closed the transport, the call never got an answer, and herd exited 0.
    const twelve = await client.callTool(
      { name: 'write_file', arguments: { path: 'big.txt', content: 'a'.repeat(12 * MiB) } },
      undefined,
      { timeout: 120_000 },
    );
    expect(twelve.isError).toBe(false);
    expect(statSync(join(workspace, 'big.txt')).size).toBe(12 * MiB);

    const tooLarge = client.callTool(
      { name: 'write_file', arguments: { path: 'huge.txt', content: 'b'.repeat(33 * MiB) } },
      undefined,
      { timeout: 120_000 },
    );
    await expect(tooLarge).rejects.toThrow(/over the 32 MiB limit of herd mcp/);
    expect(existsSync(join(workspace, 'huge.txt'))).toBe(false);

    const after = await client.callTool({ name: 'read_file', arguments: { path: 'README.md' } });
    expect(after.isError).toBe(false);
    expect(stderr).toMatch(/herd mcp: dropped a [\d,]+-byte JSON-RPC message \(tools\/call, id \d+\)/);
  }, 240_000);

  it('refuses a tools/call written to stdin before initialize, and runs nothing', async () => {
    const workspace = createFailingTestRepository();
    const child = spawn(process.execPath, [herdBin, 'mcp', '--workspace', workspace], {
      env: environment(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    const answers: Array<{ id: number; error?: { code: number; message: string }; result?: unknown }> = [];
    const waiters = new Map<number, () => void>();
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const answer = JSON.parse(buffer.slice(0, end)) as (typeof answers)[number];
        buffer = buffer.slice(end + 1);
        answers.push(answer);
        waiters.get(answer.id)?.();
      }
    });
    const send = (message: object) => child.stdin!.write(`${JSON.stringify(message)}\n`);
    const answerTo = (id: number) =>
      new Promise<(typeof answers)[number]>((resolve) => {
        const found = () => resolve(answers.find((answer) => answer.id === id)!);
        if (answers.some((answer) => answer.id === id)) found();
        else waiters.set(id, found);
      });
    const write = (id: number) =>
      send({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: {
          name: 'write_file',
          arguments: { path: 'PWNED.txt', content: 'written before initialize\n' },
        },
      });

    write(1);
    const refused = await answerTo(1);
    expect(refused.error?.code).toBe(-32600);
    expect(refused.error?.message).toContain('tools/call before initialize');
    expect(existsSync(join(workspace, 'PWNED.txt'))).toBe(false);

    // The same call after the handshake runs: the refusal was about the order, and the server kept serving.
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    });
    await answerTo(2);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    write(3);
    expect((await answerTo(3)).result).toMatchObject({ isError: false });
    expect(readFileSync(join(workspace, 'PWNED.txt'), 'utf8')).toBe('written before initialize\n');
  });
});
