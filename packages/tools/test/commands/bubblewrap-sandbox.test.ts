import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeBubblewrap } from '../../src/commands/bubblewrap-sandbox.js';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor } from './command-tools.js';

const status = await probeBubblewrap({ workspace: tmpdir() });
const skipReason = status.kind === 'none' ? `bubblewrap unavailable: ${status.reason}` : '';
if (skipReason) console.warn(`Skipping sandbox tests (${skipReason}).`);

const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;

describe.skipIf(status.kind === 'none')('run_command inside bubblewrap', () => {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end('hello');
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const connect = (target: number) => [
    'node',
    '-e',
    `require('net').connect(${target}, '127.0.0.1').on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(3); })`,
  ];

  it('reports that it is sandboxed and lets the command write inside the workspace', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['touch', 'made-inside.txt'] },
    });
    expect(dataOf(result)).toMatchObject({ exitCode: 0, sandbox: { kind: 'bubblewrap' } });
    expect(result.content).toContain('sandboxed, network off');
    expect(existsSync(path.join(root, 'made-inside.txt'))).toBe(true);
  });

  it('keeps the filesystem outside the workspace read-only', async () => {
    const { root, outside } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['touch', path.join(outside, 'planted.txt')] },
    });
    expect(dataOf(result).exitCode).not.toBe(0);
    expect(existsSync(path.join(outside, 'planted.txt'))).toBe(false);
    const planted = `/var/tmp/herd-planted-${process.pid}`;
    const system = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['touch', planted] },
    });
    expect(dataOf(system).stderr.text).toContain('Read-only file system');
    expect(existsSync(planted)).toBe(false);
  });

  it('keeps the workspace .git read-only so hooks cannot be planted', async () => {
    const { root } = await createTemporaryWorkspace();
    await mkdir(path.join(root, '.git', 'hooks'), { recursive: true });
    const dispatcher = await commandToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: ['touch', '.git/hooks/pre-commit'] },
    });
    expect(dataOf(result).exitCode).not.toBe(0);
    expect(existsSync(path.join(root, '.git', 'hooks', 'pre-commit'))).toBe(false);
  });

  it('gives the command a private /tmp', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const marker = `herd-private-${process.pid}-${Date.now()}`;
    await dispatcher.dispatch({ name: 'run_command', arguments: { argv: ['touch', `/tmp/${marker}`] } });
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
  });

  it('unshares the network', async () => {
    const { root } = await createTemporaryWorkspace();
    const sandboxed = await commandToolsFor(root);
    const blocked = await sandboxed.dispatch({ name: 'run_command', arguments: { argv: connect(port) } });
    expect(dataOf(blocked).exitCode).toBe(3);
    const open = await commandToolsFor(root, { config: { sandbox: { mode: 'auto', network: true } } });
    expect(
      dataOf(await open.dispatch({ name: 'run_command', arguments: { argv: connect(port) } })).stdout.text,
    ).toBe('connected\n');
  });

  it('kills the whole sandboxed tree at the time limit', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const started = Date.now();
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: {
        argv: ['sh', '-c', 'for i in 1 2 3 4 5; do (sleep 60 &) ; done; sleep 60'],
        timeoutMs: 400,
      },
    });
    expect(dataOf(result).timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
