import { execFileSync } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedProgram } from '../installed-program.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

const hasRipgrep = (await installedProgram('rg')) !== undefined;
if (!hasRipgrep) console.warn('Skipping the ripgrep half of the ignore-file attacks: rg is not installed.');
const hasMkfifo = (await installedProgram('mkfifo')) !== undefined;
if (!hasMkfifo) console.warn('Skipping the FIFO ignore-file attacks: mkfifo is not installed.');

const files = {
  '.gitignore': '*.log\n',
  'sub/kept.txt': 'needle\n',
  'sub/debug.log': 'needle\n',
  'other/kept.txt': 'needle\n',
};

/** Every tool that reads ignore files, over the whole workspace, with both search engines. */
async function everyListingTool(root: string) {
  const { dispatcher } = await fileToolsFor(root);
  const walker = (await fileToolsFor(root, { searchEngine: 'walker' })).dispatcher;
  const calls = [
    dispatcher.dispatch({ name: 'list_files', arguments: { recursive: true } }),
    dispatcher.dispatch({ name: 'list_files', arguments: { path: 'sub' } }),
    dispatcher.dispatch({ name: 'glob', arguments: { pattern: '**/*.txt' } }),
    walker.dispatch({ name: 'search', arguments: { pattern: 'needle' } }),
    walker.dispatch({ name: 'search', arguments: { pattern: 'needle', path: 'sub' } }),
  ];
  if (hasRipgrep) {
    calls.push(
      dispatcher.dispatch({ name: 'search', arguments: { pattern: 'needle' } }),
      dispatcher.dispatch({ name: 'search', arguments: { pattern: 'needle', path: 'sub' } }),
    );
  }
  return { results: await Promise.all(calls), dispatcher };
}

// A command (a test script the model wrote, run as the test command) can leave a FIFO named .gitignore; reading it
// waited forever for a writer and held one of the four threads all file operations of the process share: four
// listings and the whole server stopped answering, read_file of an ordinary file included.
describe('ignore files that are not regular files', () => {
  it.skipIf(!hasMkfifo)(
    'a FIFO .gitignore or .herdignore is skipped: listings and searches answer, and the server keeps serving',
    async () => {
      const { root } = await createTemporaryWorkspace(files);
      execFileSync('mkfifo', [path.join(root, 'sub', '.gitignore')]);
      execFileSync('mkfifo', [path.join(root, '.herdignore')]);
      for (let round = 0; round < 3; round += 1) {
        const { results } = await everyListingTool(root);
        for (const result of results) expect(result).toMatchObject({ ok: true });
      }
      const { dispatcher, results } = await everyListingTool(root);
      expect(results[2]).toMatchObject({ data: { paths: ['other/kept.txt', 'sub/kept.txt'] } });
      // The root's regular .gitignore still applies.
      expect(JSON.stringify(results)).not.toContain('debug.log');
      expect(
        await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'sub/kept.txt' } }),
      ).toMatchObject({ ok: true, content: 'needle\n' });
    },
    60_000,
  );

  // A repository can hold `sub/.gitignore -> /dev/zero` (git checks it out; git itself no longer follows it): the
  // walker read it to 2 GiB for every listing, and ripgrep, which read it too, grew without bound until killed.
  it('a symlinked .gitignore or .herdignore is not followed, as git does not follow it: /dev/zero is never read', async () => {
    const { root } = await createTemporaryWorkspace({ ...files, 'rules.txt': 'kept.txt\n' });
    await symlink('/dev/zero', path.join(root, 'sub', '.gitignore'));
    await symlink('/dev/zero', path.join(root, '.herdignore'));
    await symlink('../rules.txt', path.join(root, 'other', '.gitignore'));
    const { results } = await everyListingTool(root);
    for (const result of results) expect(result).toMatchObject({ ok: true });
    // The rules of the linked file in the workspace do not apply either: other/kept.txt is found.
    expect(results[2]).toMatchObject({ data: { paths: ['rules.txt', 'other/kept.txt', 'sub/kept.txt'] } });
    expect(JSON.stringify(results)).not.toContain('debug.log');
  }, 60_000);
});
