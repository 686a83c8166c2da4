import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileChangeDiff } from '../../src/acp/file-change-diff.js';

const original = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const changed = original.map((line) => (line === 'five' ? 'FIVE' : line));
const gitDiff = [
  'diff --git a/notes.txt b/notes.txt',
  'index 1111111..2222222 100644',
  '--- a/notes.txt',
  '+++ b/notes.txt',
  '@@ -2,7 +2,7 @@ one',
  ' two',
  ' three',
  ' four',
  '-five',
  '+FIVE',
  ' six',
  ' seven',
  ' eight',
  '',
].join('\n');

function workspaceWith(lines: string[]): string {
  const workspace = mkdtempSync(join(tmpdir(), 'herd-acp-diff-'));
  writeFileSync(join(workspace, 'notes.txt'), `${lines.join('\n')}\n`);
  return workspace;
}

describe('fileChangeDiff', () => {
  it('rebuilds the whole old and new texts while the file on disk is the changed one', () => {
    const workspace = workspaceWith(changed);
    const diff = fileChangeDiff({
      workspace,
      live: true,
      event: { path: 'notes.txt', change: 'modify', diff: gitDiff },
    });
    expect(diff).toEqual({
      type: 'diff',
      path: join(workspace, 'notes.txt'),
      oldText: `${original.join('\n')}\n`,
      newText: `${changed.join('\n')}\n`,
    });
  });

  it('falls back to the changed regions when the file changed again since (a replay)', () => {
    const workspace = workspaceWith(['something else entirely']);
    const diff = fileChangeDiff({
      workspace,
      live: true,
      event: { path: 'notes.txt', change: 'modify', diff: gitDiff },
    });
    expect(diff?.oldText).toBe('two\nthree\nfour\nfive\nsix\nseven\neight\n');
    expect(diff?.newText).toBe('two\nthree\nfour\nFIVE\nsix\nseven\neight\n');
  });

  it('shows a created file with no old text', () => {
    const created = ['--- /dev/null', '+++ b/new.txt', '@@ -0,0 +1,2 @@', '+hello', '+world', ''].join('\n');
    const diff = fileChangeDiff({
      workspace: '/repo',
      live: false,
      event: { path: 'new.txt', change: 'create', diff: created },
    });
    expect(diff).toEqual({ type: 'diff', path: '/repo/new.txt', oldText: null, newText: 'hello\nworld\n' });
  });

  it('gives no diff content for a binary file', () => {
    const binary = 'diff --git a/logo.png b/logo.png\nBinary files a/logo.png and b/logo.png differ\n';
    expect(
      fileChangeDiff({
        workspace: '/repo',
        live: false,
        event: { path: 'logo.png', change: 'modify', diff: binary },
      }),
    ).toBeUndefined();
  });
});
