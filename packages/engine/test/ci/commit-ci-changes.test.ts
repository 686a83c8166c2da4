import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCiBranch, commitCiChanges } from '@herd/engine';
import { describe, expect, it } from 'vitest';

const identity = ['-c', 'user.name=test', '-c', 'user.email=test@example.com'];

/** A git repository with `app/add.js` committed and then changed in the working tree. */
function changedRepository(): { root: string; git: (...args: string[]) => string } {
  const root = mkdtempSync(join(tmpdir(), 'herd-ci-commit-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  mkdirSync(join(root, 'app'));
  writeFileSync(join(root, 'app/add.js'), 'left - right\n');
  git('init', '--quiet');
  git('add', '.');
  git(...identity, 'commit', '--quiet', '-m', 'start');
  writeFileSync(join(root, 'app/add.js'), 'left + right\n');
  writeFileSync(join(root, 'app/untracked.txt'), 'not part of the run\n');
  return { root, git };
}

describe('commitCiChanges', () => {
  it('commits the patch on a new branch from HEAD and leaves the current branch, index and working tree alone', async () => {
    const { root, git } = changedRepository();
    const head = git('rev-parse', 'HEAD');
    const statusBefore = git('status', '--porcelain');
    const patch = execFileSync('git', ['diff', '--relative'], { cwd: join(root, 'app'), encoding: 'utf8' });

    const commit = await commitCiChanges({
      workspace: join(root, 'app'),
      branch: 'herd/test',
      patch,
      message: 'herd: fix add\n',
      env: { PATH: process.env.PATH, HOME: root },
    });

    expect(git('rev-parse', 'herd/test')).toBe(commit.sha);
    expect(git('rev-parse', 'herd/test^')).toBe(head);
    expect(git('show', 'herd/test:app/add.js')).toBe('left + right');
    expect(git('diff', '--name-only', 'HEAD', 'herd/test')).toBe('app/add.js');
    expect(git('log', '-1', '--format=%an <%ae>', 'herd/test')).toBe('Herd CI <herd-ci@localhost>');
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(git('status', '--porcelain')).toBe(statusBefore);
  });

  it('refuses a patch that does not apply to HEAD, creating no branch', async () => {
    const { root, git } = changedRepository();
    const patch =
      'diff --git a/app/add.js b/app/add.js\n--- a/app/add.js\n+++ b/app/add.js\n@@ -1 +1 @@\n-nothing like this\n+x\n';
    await expect(
      commitCiChanges({ workspace: root, branch: 'herd/test', patch, message: 'm\n' }),
    ).rejects.toThrow(/applying the patch to HEAD/);
    expect(git('branch', '--list', 'herd/test')).toBe('');
  });
});

describe('checkCiBranch', () => {
  it('refuses a branch that exists, an invalid name, and a directory outside git', async () => {
    const { root, git } = changedRepository();
    git('branch', 'taken');
    await expect(checkCiBranch({ workspace: root, branch: 'taken' })).rejects.toThrow(/already exists/);
    await expect(checkCiBranch({ workspace: root, branch: 'a..b' })).rejects.toThrow(
      /not a valid git branch name/,
    );
    await expect(checkCiBranch({ workspace: root, branch: 'herd/new' })).resolves.toBeUndefined();
    const outside = mkdtempSync(join(tmpdir(), 'herd-ci-nogit-'));
    await expect(checkCiBranch({ workspace: outside, branch: 'herd/new' })).rejects.toThrow(
      /not a git repository with a commit/,
    );
  });
});
