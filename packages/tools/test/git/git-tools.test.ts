import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createToolDispatcher } from '../../src/dispatcher/tool-dispatcher.js';
import { createGitDiffTool } from '../../src/git/git-diff-tool.js';
import { createGitStatusTool } from '../../src/git/git-status-tool.js';
import { createWorkspaceJail } from '../../src/jail/workspace-jail.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';
import { initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

const gitToolsFor = async (root: string) => {
  const jail = await createWorkspaceJail({ root });
  return createToolDispatcher({
    registry: createToolRegistry({ tools: [createGitStatusTool({ jail }), createGitDiffTool({ jail })] }),
  });
};

describe('git_status and git_diff', () => {
  it('shows the branch and changed files, then the diff', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n', '.env': 'KEY=1\n' });
    initRepository(root);
    await writeFile(path.join(root, 'a.txt'), 'two\n');
    await writeFile(path.join(root, '.env'), 'KEY=leaked\n');
    await writeFile(path.join(root, 'new.txt'), 'n');
    const dispatcher = await gitToolsFor(root);
    const status = await dispatcher.dispatch({ name: 'git_status' });
    expect(status.content).toContain('branch main');
    expect(status.data).toMatchObject({
      files: expect.arrayContaining([
        { status: ' M', path: 'a.txt' },
        { status: '??', path: 'new.txt' },
      ]),
    });
    const diff = await dispatcher.dispatch({ name: 'git_diff', arguments: {} });
    expect(diff.content).toContain('-one\n+two');
    expect(diff.content).not.toContain('leaked');
  });

  it('keeps denied files out of the diff, also where git pathspecs cannot say the deny glob', async () => {
    const { root } = await createTemporaryWorkspace({
      'a.txt': 'one\n',
      'config/credentials.json': '{ "token": "old" }\n',
      '.ENV': 'KEY=old\n',
    });
    initRepository(root);
    await writeFile(path.join(root, 'a.txt'), 'two\n');
    await writeFile(path.join(root, 'config/credentials.json'), '{ "token": "leaked-token" }\n');
    await writeFile(path.join(root, '.ENV'), 'KEY=leaked-key\n');
    const dispatcher = await gitToolsFor(root);
    const diff = await dispatcher.dispatch({ name: 'git_diff', arguments: {} });
    expect(diff.content).toContain('+two');
    expect(diff.content).not.toContain('leaked');
    const limited = await dispatcher.dispatch({ name: 'git_diff', arguments: { path: 'a.txt' } });
    expect(limited.content).toContain('+two');
  });

  it('shows only the workspace when the repository around it is larger', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    // The repository's work tree is the parent: it holds the workspace and outside/secret.txt beside it.
    initRepository(parent);
    await writeFile(path.join(root, 'a.txt'), 'two\n');
    await writeFile(path.join(parent, 'outside', 'secret.txt'), 'changed outside secret\n');
    const dispatcher = await gitToolsFor(root);
    const status = await dispatcher.dispatch({ name: 'git_status' });
    expect(status.content).toContain('workspace/a.txt');
    expect(status.content).not.toContain('secret');
    const diff = await dispatcher.dispatch({ name: 'git_diff', arguments: {} });
    expect(diff.content).toContain('+two');
    expect(diff.content).not.toContain('secret');
  });

  it('refuses refs that look like options', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    const dispatcher = await gitToolsFor(root);
    for (const ref of ['--output=/tmp/x', '-p', 'HEAD;rm', '$(id)']) {
      expect((await dispatcher.dispatch({ name: 'git_diff', arguments: { ref } })).error?.code).toBe(
        'git_ref_invalid',
      );
    }
  });

  it('says when the workspace is not a git repository', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'x' });
    const dispatcher = await gitToolsFor(root);
    expect((await dispatcher.dispatch({ name: 'git_status' })).error?.code).toBe('not_a_git_repository');
  });
});
