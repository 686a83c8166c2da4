import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { probeBubblewrap } from '../../src/commands/bubblewrap-sandbox.js';
import { probeProcessIsolation } from '../../src/commands/process-isolation.js';
import type { RunCommandData } from '../../src/commands/run-command-tool.js';
import type { ToolResult } from '../../src/dispatcher/tool-result.js';
import { installedProgram } from '../installed-program.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

// The sandbox's own programs (bwrap, unshare, setpriv) and ripgrep run on the host, unsandboxed. `npx herd`,
// `pnpm exec herd` and package scripts start Herd with `./node_modules/.bin` and the workspace's
// `node_modules/.bin` first on PATH, where a model can put a program of any name (write_file, then one sandboxed
// `chmod`); a relative entry (`.`, an empty one) means the workspace too when Herd runs there. None of those may ever
// be the program Herd runs as the sandbox, nor as ripgrep.

const bubblewrap = await probeBubblewrap({ workspace: tmpdir() });
const isolation = await probeProcessIsolation({ workspace: tmpdir() });
const ripgrep = await installedProgram('rg');
const shell = await installedProgram('sh');
const childScript = fileURLToPath(new URL('./fixtures/tools-in-child.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)));
if (!built)
  console.warn('Skipping the host program tests: packages/tools/dist is missing; run `npx tsc -b`.');
if (bubblewrap.kind === 'none') console.warn(`Skipping the bwrap host program test (${bubblewrap.reason}).`);
if (isolation.kind === 'none') console.warn(`Skipping the unshare host program test (${isolation.reason}).`);
if (!ripgrep)
  console.warn('Skipping the host program tests: rg is not installed (apt-get install -y ripgrep).');

const planted = ['bwrap', 'unshare', 'setpriv', 'rg'] as const;

/**
 * A workspace (given to Herd through a link to it) with a `bwrap`, `unshare`, `setpriv` and `rg` in every folder a
 * model can write that could be on PATH, each of which records that it ran in a file outside the workspace.
 */
async function plantHostPrograms() {
  const { root, parent, outside } = await createTemporaryWorkspace({ 'notes.txt': 'a needle here\n' });
  const marker = path.join(outside, 'planted-program-ran');
  const folders = ['node_modules/.bin', '.', '.herd/bin', 'tools'].map((folder) => path.join(root, folder));
  for (const folder of folders) {
    await mkdir(folder, { recursive: true });
    for (const name of planted) {
      const file = path.join(folder, name);
      await writeFile(file, `#!/bin/sh\necho "$0 $*" >> '${marker}'\nexit 0\n`);
      await chmod(file, 0o755);
    }
  }
  // A PATH entry outside the workspace that is a link into it, and the workspace itself named by a link.
  const linkedBin = path.join(parent, 'linked-bin');
  await symlink(path.join(root, 'tools'), linkedBin);
  const workspaceLink = path.join(parent, 'workspace-link');
  await symlink(root, workspaceLink);
  const hostile = [
    './node_modules/.bin',
    '.',
    '',
    path.join(workspaceLink, 'node_modules', '.bin'),
    path.join(root, '.herd', 'bin'),
    linkedBin,
  ];
  const ran = async () => (existsSync(marker) ? await readFile(marker, 'utf8') : '');
  return { root, parent, workspaceLink, hostile, ran };
}

/** Runs one approved command and one search in a Herd process started in the workspace with `searchPath`. */
async function runTools(options: { workspace: string; cwd: string; searchPath: string; config: unknown }) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [childScript, options.workspace, JSON.stringify(options.config)],
    { cwd: options.cwd, env: { PATH: options.searchPath, HOME: process.env.HOME ?? '/' } },
  );
  const { command, search } = JSON.parse(stdout) as { command: ToolResult; search: ToolResult };
  return { command, commandData: command.data as RunCommandData, search };
}

const quiet = { checkpoints: { enabled: false }, fetchUrl: { enabled: false } };

describe.skipIf(!built || !ripgrep)('the programs Herd runs on the host', () => {
  it.skipIf(bubblewrap.kind === 'none')(
    'are never a bwrap or rg planted in the workspace, on a relative PATH entry or behind a link into it',
    async () => {
      const { root, workspaceLink, hostile, ran } = await plantHostPrograms();
      const result = await runTools({
        workspace: workspaceLink,
        cwd: root,
        searchPath: [...hostile, process.env.PATH ?? ''].join(path.delimiter),
        config: quiet,
      });
      expect(await ran()).toBe('');
      // The real bubblewrap ran the command: it wrote its file and printed its line.
      expect(result.command.ok, result.command.content).toBe(true);
      expect(result.commandData.sandbox.kind).toBe('bubblewrap');
      expect(result.commandData.stdout.text).toContain('ran');
      expect(await readFile(path.join(root, 'made.txt'), 'utf8')).toBe('made\n');
      // The real ripgrep searched.
      expect(result.search.data).toMatchObject({
        engine: 'ripgrep',
        matches: [{ path: 'notes.txt', line: 1 }],
      });
    },
    60_000,
  );

  it.skipIf(isolation.kind === 'none')(
    'are never an unshare or setpriv planted there when commands run without bubblewrap',
    async () => {
      const { root, workspaceLink, hostile, ran } = await plantHostPrograms();
      const result = await runTools({
        workspace: workspaceLink,
        cwd: root,
        searchPath: [...hostile, process.env.PATH ?? ''].join(path.delimiter),
        config: { ...quiet, sandbox: { mode: 'off' } },
      });
      expect(await ran()).toBe('');
      expect(result.command.ok, result.command.content).toBe(true);
      expect(result.commandData.isolation?.kind).toBe('pid-namespace');
      expect(await readFile(path.join(root, 'made.txt'), 'utf8')).toBe('made\n');
    },
    60_000,
  );

  it.skipIf(!shell)(
    'say plainly that none was found when only planted ones are on PATH',
    async () => {
      const { root, parent, workspaceLink, hostile, ran } = await plantHostPrograms();
      // The shell the command needs, and nothing else outside the workspace.
      const bin = path.join(parent, 'bin');
      await mkdir(bin);
      await symlink(shell!, path.join(bin, 'sh'));
      const searchPath = [...hostile, bin].join(path.delimiter);
      const result = await runTools({ workspace: workspaceLink, cwd: root, searchPath, config: quiet });
      expect(await ran()).toBe('');
      expect(result.commandData.sandbox).toEqual({
        kind: 'none',
        reason: expect.stringContaining('bwrap is not installed outside the workspace'),
      });
      expect(result.commandData.sandbox.reason).toContain('was passed over');
      expect(result.commandData.isolation).toEqual({
        kind: 'none',
        reason: expect.stringContaining('unshare (util-linux) is not installed outside the workspace'),
      });
      expect(result.command.content).toContain('UNSANDBOXED: bwrap is not installed outside the workspace');
      // search falls back to the pure walker, which finds the same.
      expect(result.search.data).toMatchObject({
        engine: 'walker',
        matches: [{ path: 'notes.txt', line: 1 }],
      });

      await rm(path.join(root, 'made.txt'));
      const required = await runTools({
        workspace: workspaceLink,
        cwd: root,
        searchPath,
        config: { ...quiet, sandbox: { mode: 'required' } },
      });
      expect(await ran()).toBe('');
      expect(required.command.error?.code).toBe('sandbox_unavailable');
      expect(required.command.content).toContain('bwrap is not installed outside the workspace');
      expect(existsSync(path.join(root, 'made.txt'))).toBe(false);
    },
    60_000,
  );
});
