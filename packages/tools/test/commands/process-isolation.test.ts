import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { probeBubblewrap } from '../../src/commands/bubblewrap-sandbox.js';
import { probeProcessIsolation } from '../../src/commands/process-isolation.js';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import { runProcessTree } from '../../src/commands/run-process-tree.js';
import { installedProgram } from '../installed-program.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { commandToolsFor } from './command-tools.js';
import { processesWith, uniqueSleep } from './process-table.js';

const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;
const isolation = await probeProcessIsolation({ workspace: tmpdir() });
const bubblewrap = await probeBubblewrap({ workspace: tmpdir() });
if (isolation.kind === 'none') console.warn(`Skipping PID namespace tests (${isolation.reason}).`);
if (bubblewrap.kind === 'none') console.warn(`Skipping the sandboxed tree test (${bubblewrap.reason}).`);

// The Herd process under attack is spawned from the built output (packages/tools/dist), which `npx tsc -b`
// produces; the repository's test command builds before vitest runs.
const childScript = fileURLToPath(new URL('./fixtures/run-command-in-child.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)));
if (!built)
  console.warn('Skipping the /proc environ tests: packages/tools/dist is missing; run `npx tsc -b`.');

/** A command that forks a child which starts its own session (leaving the process group), then waits forever. */
const detachingCommand = (duration: string) => [
  'sh',
  '-c',
  `(setsid sh -c 'touch detached; exec sleep ${duration}' &); sleep ${duration}`,
];

describe('a command that detaches with setsid() does not outlive its time limit', () => {
  it.skipIf(isolation.kind === 'none')('unsandboxed, in its own PID namespace', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root, { config: { sandbox: { mode: 'off' } } });
    const duration = uniqueSleep();
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: detachingCommand(duration), timeoutMs: 3000 },
    });
    expect(dataOf(result)).toMatchObject({ timedOut: true, isolation: { kind: 'pid-namespace' } });
    expect(result.content).toContain('in its own PID namespace');
    expect(existsSync(path.join(root, 'detached'))).toBe(true);
    await expect.poll(() => processesWith(duration), { timeout: 10_000 }).toEqual([]);
  });

  it.skipIf(bubblewrap.kind === 'none')('inside bubblewrap', async () => {
    const { root } = await createTemporaryWorkspace();
    const dispatcher = await commandToolsFor(root);
    const duration = uniqueSleep();
    const result = await dispatcher.dispatch({
      name: 'run_command',
      arguments: { argv: detachingCommand(duration), timeoutMs: 3000 },
    });
    expect(dataOf(result)).toMatchObject({ timedOut: true, sandbox: { kind: 'bubblewrap' } });
    expect(existsSync(path.join(root, 'detached'))).toBe(true);
    await expect.poll(() => processesWith(duration), { timeout: 10_000 }).toEqual([]);
  });

  it('without any namespace, found through the mark in its environment', async () => {
    const { root } = await createTemporaryWorkspace();
    const duration = uniqueSleep();
    const result = await runProcessTree({
      argv: detachingCommand(duration),
      cwd: root,
      environment: { PATH: process.env.PATH ?? '' },
      timeoutMs: 3000,
      outputLimitBytes: 1000,
      killMarkedDescendants: true,
    });
    expect(result.timedOut).toBe(true);
    expect(existsSync(path.join(root, 'detached'))).toBe(true);
    await expect.poll(() => processesWith(duration), { timeout: 10_000 }).toEqual([]);
  });
});

/** Runs one approved command in a fresh Herd process whose initial environment holds `key`; returns its result. */
async function runInHerdProcess(options: {
  root: string;
  key: string;
  config: unknown;
  pathVariable: string;
  /** What the command does before reading every environment it can see. */
  before?: string;
}) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      childScript,
      options.root,
      JSON.stringify(options.config),
      JSON.stringify([
        'sh',
        '-c',
        // Herd's own environment through its parent link, then the key's line in every environment it can read
        // (only that line: all of them would overflow the output cap, which keeps head and tail).
        `${options.before ?? ''} cat /proc/$PPID/environ; grep -h -a -o 'LLAMA_API_KEY=[[:alnum:]-]*' /proc/[0-9]*/environ 2>/dev/null; echo; echo done`,
      ]),
    ],
    { env: { PATH: options.pathVariable, HOME: process.env.HOME ?? '/', LLAMA_API_KEY: options.key } },
  );
  return JSON.parse(stdout) as { ok: boolean; content: string; data: RunCommandData };
}

describe.skipIf(!built)('an approved unsandboxed command and the API keys in Herd environment', () => {
  it.skipIf(isolation.kind === 'none')('cannot read them from /proc/<herd pid>/environ', async () => {
    const { root } = await createTemporaryWorkspace();
    const key = `sk-environ-${Date.now()}`;
    const result = await runInHerdProcess({
      root,
      key,
      config: { sandbox: { mode: 'off' } },
      pathVariable: process.env.PATH ?? '',
    });
    expect(result.data.stdout.text).toContain('done');
    expect(result.data.isolation?.kind).toBe('pid-namespace');
    expect(JSON.stringify(result)).not.toContain(key);
  });

  it.skipIf(isolation.kind === 'none')(
    'cannot read them after unmounting its own /proc, even where it is root in its namespace',
    async () => {
      const { root } = await createTemporaryWorkspace();
      const key = `sk-umount-${Date.now()}`;
      const result = await runInHerdProcess({
        root,
        key,
        config: { sandbox: { mode: 'off' } },
        pathVariable: process.env.PATH ?? '',
        // Under the /proc of its namespace lies the host's, which lists Herd; nsenter would leave the namespace.
        before:
          'umount /proc 2>&1 || umount -l /proc 2>&1; nsenter --target 1 --mount --pid true 2>&1 && echo left;',
      });
      expect(result.data.stdout.text).toContain('done');
      expect(result.data.stdout.text).not.toContain('left');
      expect(result.data.isolation?.kind).toBe('pid-namespace');
      expect(JSON.stringify(result)).not.toContain(key);
    },
  );

  it('is told plainly where no PID namespace can be made', async () => {
    const { root, parent } = await createTemporaryWorkspace();
    // A PATH with the shell and cat but neither unshare nor bwrap, as on a machine without util-linux's unshare.
    const bin = path.join(parent, 'bin');
    await mkdir(bin);
    for (const program of ['sh', 'cat'])
      await symlink((await installedProgram(program))!, path.join(bin, program));
    const result = await runInHerdProcess({
      root,
      key: 'sk-not-isolated',
      config: { sandbox: { mode: 'auto' } },
      pathVariable: bin,
    });
    expect(result.data.isolation).toEqual({ kind: 'none', reason: 'unshare (util-linux) is not installed' });
    expect(result.content).toContain(
      "UNSANDBOXED: bwrap is not installed (apt-get install bubblewrap); not isolated from Herd's processes",
    );
  });
});
