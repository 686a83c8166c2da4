import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, watch } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWorkspaceTools } from '../../src/workspace/create-workspace-tools.js';
import { installedProgram } from '../installed-program.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

const hasRipgrep = (await installedProgram('rg')) !== undefined;
// The crash test kills a process running the built tools (packages/tools/dist), which `npx tsc -b` produces.
const built = existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)));
if (!built)
  console.warn('Skipping the SIGKILL test: packages/tools/dist is missing; run `npx tsc -b` first.');
const writer = fileURLToPath(new URL('./fixtures/write-until-killed.mjs', import.meta.url));

/** Every path under a folder except Herd's own `.herd`, as a user's `ls -R` or git would see it. */
const visibleTree = async (root: string) =>
  (await readdir(root, { recursive: true }))
    .filter((entry) => entry !== '.herd' && !entry.startsWith(`.herd${path.sep}`))
    .sort();

/** A process id that no process has any more: a child's, after it exited. */
const deadProcessId = async () => {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
};

describe("write_file's temporary files", () => {
  it.skipIf(!built)(
    'leave nothing in the working tree when the writer is killed with SIGKILL mid-write, and the next start clears them',
    async () => {
      const { root } = await createTemporaryWorkspace();
      const child = spawn(process.execPath, [writer, root], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = once(child, 'exit');
      const [line] = await once(createInterface({ input: child.stdout }), 'line');
      expect(line).toBe('written');
      // The kill is sent as the next write creates its temporary file, so it lands in that write (16 MiB, synced).
      const staging = watch(path.join(root, '.herd', 'tmp'));
      await once(staging, 'change');
      child.kill('SIGKILL');
      staging.close();
      await exited;
      expect(await visibleTree(root)).toEqual(['data', path.join('data', 'big.txt')]);
      await createWorkspaceTools({ workspace: root });
      expect(await readdir(path.join(root, '.herd', 'tmp'))).toEqual([]);
      expect(await visibleTree(root)).toEqual(['data', path.join('data', 'big.txt')]);
    },
    60_000,
  );

  it('are removed at the next start when their writer is gone, and kept while it runs', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'a' });
    const staging = path.join(root, '.herd', 'tmp');
    await mkdir(staging, { recursive: true });
    const stale = `${await deadProcessId()}-0123456789ab.tmp`;
    const live = `${process.pid}-ba9876543210.tmp`;
    await writeFile(path.join(staging, stale), 'half a write');
    await writeFile(path.join(staging, live), 'a write going on');
    await createWorkspaceTools({ workspace: root });
    expect(await readdir(staging)).toEqual([live]);
  });

  it.each([
    ['walker', true],
    ['ripgrep', hasRipgrep],
  ] as const)(
    'left beside files by earlier versions are never listed or searched (%s)',
    async (engine, available) => {
      if (!available) return;
      const leftover = '.notes.md.herd-0123456789ab.tmp';
      const { root } = await createTemporaryWorkspace({
        'notes.md': 'needle\n',
        [`docs/${leftover}`]: 'needle\n',
      });
      const { dispatcher } = await fileToolsFor(root, { searchEngine: engine });
      const calls = await Promise.all([
        dispatcher.dispatch({ name: 'list_files', arguments: { recursive: true } }),
        dispatcher.dispatch({ name: 'glob', arguments: { pattern: '**/*' } }),
        dispatcher.dispatch({ name: 'search', arguments: { pattern: 'needle' } }),
      ]);
      for (const result of calls) {
        expect(result.ok).toBe(true);
        expect(result.content).not.toContain('herd-0123456789ab');
      }
      expect(calls[2]!.data).toMatchObject({ matches: [{ path: 'notes.md' }] });
    },
  );
});
