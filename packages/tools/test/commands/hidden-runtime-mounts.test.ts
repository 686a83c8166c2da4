import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { probeBubblewrap } from '../../src/commands/bubblewrap-sandbox.js';
import { hiddenRuntimeMounts } from '../../src/commands/hidden-runtime-mounts.js';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor } from './command-tools.js';

const status = await probeBubblewrap({ workspace: tmpdir() });
if (status.kind === 'none')
  console.warn(`Skipping runtime-hiding sandbox tests (bubblewrap unavailable: ${status.reason}).`);

const runWritable = (() => {
  try {
    accessSync('/run', constants.W_OK);
    return true;
  } catch {
    return false;
  }
})();

const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;

const servers: Server[] = [];
const created: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const target of created.splice(0)) await rm(target, { recursive: true, force: true });
});

/** A Unix socket server that answers `hello`, standing for a daemon such as dockerd. */
async function listenOnSocket(socketPath: string): Promise<void> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.end('hello');
  });
  servers.push(server);
  created.push(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
}

/** A node program printing `connected` or the error code (exit 3) when connecting to a Unix socket. */
const connectTo = (socketPath: string) => [
  'node',
  '-e',
  `require('net').connect(${JSON.stringify(socketPath)}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(3); })`,
];

describe.skipIf(status.kind === 'none')(
  'run_command hides the host runtime directories inside bubblewrap',
  () => {
    it.skipIf(!runWritable)(
      'cannot connect to a daemon socket in /run, with or without the network',
      async () => {
        const socketPath = `/run/herd-sandbox-test-${randomBytes(6).toString('hex')}.sock`;
        await listenOnSocket(socketPath);
        const outside = await execa('node', connectTo(socketPath).slice(1), { reject: false });
        expect(outside.stdout).toBe('connected');
        const { root } = await createTemporaryWorkspace();
        for (const network of [false, true]) {
          const dispatcher = await commandToolsFor(root, { config: { sandbox: { mode: 'auto', network } } });
          const result = await dispatcher.dispatch({
            name: 'run_command',
            arguments: { argv: connectTo(socketPath) },
          });
          expect(dataOf(result)).toMatchObject({ exitCode: 3, stdout: { text: 'ENOENT\n' } });
        }
      },
    );

    it('still runs node and writes in the workspace', async () => {
      const { root } = await createTemporaryWorkspace();
      const dispatcher = await commandToolsFor(root);
      const version = await dispatcher.dispatch({
        name: 'run_command',
        arguments: { argv: ['node', '--version'] },
      });
      expect(dataOf(version).stdout.text).toMatch(/^v\d+\.\d+\.\d+\n$/);
      const write = await dispatcher.dispatch({
        name: 'run_command',
        arguments: { argv: ['touch', 'made.txt'] },
      });
      expect(dataOf(write)).toMatchObject({ exitCode: 0, sandbox: { kind: 'bubblewrap' } });
      expect(existsSync(path.join(root, 'made.txt'))).toBe(true);
    });

    it.skipIf(!existsSync('/run/shm'))('keeps the links at the top of /run, such as /run/shm', async () => {
      const { root } = await createTemporaryWorkspace();
      const dispatcher = await commandToolsFor(root);
      const result = await dispatcher.dispatch({
        name: 'run_command',
        arguments: { argv: ['node', '-e', "console.log(require('fs').readlinkSync('/run/shm'))"] },
      });
      expect(dataOf(result)).toMatchObject({ exitCode: 0, stdout: { text: '/dev/shm\n' } });
    });
  },
);

/**
 * A fake runtime directory in /var/tmp (the sandbox's private /tmp would hide one in /tmp anyway) laid out like
 * a systemd host's /run, and a fake /etc linking into it.
 */
async function createFakeHost() {
  const base = await mkdtemp('/var/tmp/herd-runtime-');
  created.push(base);
  const run = path.join(base, 'run');
  const etc = path.join(base, 'etc');
  await mkdir(path.join(run, 'systemd', 'resolve'), { recursive: true });
  await mkdir(path.join(run, 'wrappers', 'bin'), { recursive: true });
  await mkdir(etc);
  await writeFile(path.join(run, 'systemd', 'resolve', 'stub-resolv.conf'), 'nameserver 127.0.0.53\n');
  await symlink('../run/systemd/resolve/stub-resolv.conf', path.join(etc, 'resolv.conf'));
  await symlink('/usr', path.join(run, 'current-system'));
  await writeFile(path.join(run, 'wrappers', 'bin', 'herd-wrapped'), '#!/bin/sh\necho wrapped\n');
  await chmod(path.join(run, 'wrappers', 'bin', 'herd-wrapped'), 0o755);
  return { run, etc, bin: path.join(run, 'wrappers', 'bin') };
}

/** Runs a command in bwrap with only the runtime mounts of a fake host applied. */
async function runHidingFakeRuntime(host: { run: string; etc: string; bin: string }, argv: string[]) {
  const PATH = `${host.bin}${path.delimiter}${process.env.PATH}`;
  const mounts = hiddenRuntimeMounts({
    environment: { PATH },
    runtimeDirectories: [host.run],
    configurationDirectory: host.etc,
  });
  return execa(
    status.executable as string,
    ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', ...mounts, '--', ...argv],
    { reject: false, env: { PATH } },
  );
}

describe.skipIf(status.kind === 'none')('hiddenRuntimeMounts under real bwrap', () => {
  it('hides a socket in the runtime directory', async () => {
    const host = await createFakeHost();
    const socketPath = path.join(host.run, 'daemon.sock');
    await listenOnSocket(socketPath);
    const result = await runHidingFakeRuntime(host, connectTo(socketPath));
    expect(result).toMatchObject({ exitCode: 3, stdout: 'ENOENT' });
  });

  it('keeps a file that /etc links to readable, but not a socket beside it', async () => {
    const host = await createFakeHost();
    const socketPath = path.join(host.run, 'systemd', 'resolve', 'io.systemd.Resolve');
    await listenOnSocket(socketPath);
    const result = await runHidingFakeRuntime(host, [
      'sh',
      '-c',
      `cat ${host.etc}/resolv.conf; ls -A ${path.dirname(socketPath)}`,
    ]);
    expect(result.stdout).toBe('nameserver 127.0.0.53\nstub-resolv.conf');
  });

  it('keeps the links at its top and the PATH entries inside it', async () => {
    const host = await createFakeHost();
    const result = await runHidingFakeRuntime(host, [
      'sh',
      '-c',
      `herd-wrapped && test -d ${host.run}/current-system/bin && echo linked`,
    ]);
    expect(result.stdout).toBe('wrapped\nlinked');
  });
});
