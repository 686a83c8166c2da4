import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCiBranch, commitCiChanges, packRepository } from '@herd/engine';
import { createWorkspaceTools } from '@herd/tools';
import { afterEach, describe, expect, it } from 'vitest';

// Attacks from issue #11 finding 2: a repository (or a git directory planted in the workspace by a sandboxed
// command or by write_file) configures programs that git would run on the host. Each program, if it ever runs,
// drops a file named after itself into `markers/`, outside the workspace.

const created: string[] = [];
afterEach(() => {
  for (const directory of created.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const identity = ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];
// git's warnings go with its output (the planted fsmonitor answers nothing, and git says so on every status),
// not to the test run's log.
const plainGit = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** A parent holding `markers/` and the attacker's scripts; each script writes its marker when run. */
function createStage() {
  const parent = mkdtempSync(join(tmpdir(), 'herd-git-attack-'));
  created.push(parent);
  const markers = join(parent, 'markers');
  const scripts = join(parent, 'scripts');
  mkdirSync(markers);
  mkdirSync(scripts);
  const script = (name: string, body = '') => {
    const file = join(scripts, name);
    writeFileSync(file, `#!/bin/sh\ntouch '${join(markers, name)}'\n${body}`);
    chmodSync(file, 0o755);
    return file;
  };
  const hooks = join(scripts, 'hooks');
  mkdirSync(hooks);
  for (const hook of [
    'post-index-change',
    'reference-transaction',
    'pre-commit',
    'post-commit',
    'post-checkout',
  ]) {
    const file = join(hooks, hook);
    writeFileSync(file, `#!/bin/sh\ntouch '${join(markers, `hook-${hook}`)}'\ncat >/dev/null\n`);
    chmodSync(file, 0o755);
  }
  /** Settings a hostile git config holds: a clean/smudge filter, fsmonitor, hooks, external diff, textconv. */
  const hostileConfig: [string, string][] = [
    ['filter.x.clean', `${script('filter-clean', 'cat\n')}`],
    ['filter.x.smudge', `${script('filter-smudge', 'cat\n')}`],
    ['filter.x.required', 'true'],
    ['core.fsmonitor', script('fsmonitor')],
    ['core.hooksPath', hooks],
    ['diff.external', script('external-diff')],
    ['diff.x.textconv', script('textconv', 'cat "$1"\n')],
    ['core.pager', script('pager', 'cat\n')],
    ['log.showSignature', 'true'],
    ['gpg.program', script('gpg')],
    // Every other setting that names a program git may start.
    ['diff.x.command', script('diff-command')],
    ['merge.x.driver', script('merge-driver')],
    ['core.editor', script('editor')],
    ['sequence.editor', script('sequence-editor')],
    ['core.askPass', script('askpass')],
    ['core.sshCommand', script('ssh-command')],
    ['core.gitProxy', script('git-proxy')],
    ['core.alternateRefsCommand', script('alternate-refs')],
    ['uploadpack.packObjectsHook', script('pack-objects-hook')],
    ['credential.helper', `!${script('credential-helper')}`],
    ['credential.https://example.com.helper', `!${script('credential-url-helper')}`],
    ['gpg.ssh.program', script('gpg-ssh')],
    ['gpg.x509.program', script('gpg-x509')],
    ['commit.gpgSign', 'true'],
    ['remote.origin.url', `ext::${script('ext-remote')}`],
  ];
  const ran = () => readdirSync(markers).sort();
  const clear = () => {
    for (const marker of readdirSync(markers)) rmSync(join(markers, marker));
  };
  return { parent, hostileConfig, ran, clear };
}

/** What Herd runs git for on the host: git tools, the packer, a checkpoint, the CI commit. */
async function herdTouchesTheRepository(options: { parent: string; workspace: string; repository: boolean }) {
  const { dispatcher, checkpoints } = await createWorkspaceTools({
    workspace: options.workspace,
    config: {
      checkpoints: { directory: join(options.parent, 'checkpoints') },
      fetchUrl: { enabled: false },
    },
  });
  const status = await dispatcher.dispatch({ name: 'git_status' });
  const diff = await dispatcher.dispatch({ name: 'git_diff', arguments: {} });
  const staged = await dispatcher.dispatch({ name: 'git_diff', arguments: { staged: true } });
  const packed = await packRepository({ root: options.workspace, budget: 200_000, cache: false });
  // Still listed by git, not by a walk after git failed.
  expect(packed.stats.source).toBe('git');
  // A budget the whole repository does not fit: the map ranks files by `git log` activity.
  writeFileSync(join(options.workspace, 'big.txt'), 'lorem ipsum dolor sit amet\n'.repeat(2000));
  const mapped = await packRepository({ root: options.workspace, budget: 4_000, cache: false, task: 'x' });
  expect(mapped.stats.mode).toBe('map');
  // With the cache: the first pack has git fill Herd's copy of the index, the second asks git through it (git
  // writes that copy, which is when it would run an index hook).
  await packRepository({ root: options.workspace, budget: 200_000 });
  const again = await packRepository({ root: options.workspace, budget: 200_000 });
  expect(again.stats.cache.misses).toBe(0);
  const write = await dispatcher.dispatch({
    name: 'write_file',
    arguments: { path: 'notes.txt', content: 'a checkpoint is taken before this write\n' },
  });
  expect(write.ok).toBe(true);
  expect(write.checkpointId).toMatch(/^[0-9a-f]{40}$/);
  await checkpoints?.restore(write.checkpointId!, { scope: 'herd-changes' });
  if (options.repository) {
    await checkCiBranch({ workspace: options.workspace, branch: 'herd/attack' });
    await commitCiChanges({
      workspace: options.workspace,
      branch: 'herd/attack',
      patch:
        'diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+x\n',
      message: 'herd: attack\n',
      env: { PATH: process.env.PATH, HOME: options.parent },
    });
  }
  return { status, diff, staged };
}

describe('git on the host runs nothing the repository configures', () => {
  it('a submodule whose gitfile points at a planted git dir with a clean filter: no filter runs', async () => {
    const stage = createStage();
    const origin = join(stage.parent, 'origin');
    const workspace = join(stage.parent, 'workspace');
    mkdirSync(origin);
    writeFileSync(join(origin, 's.txt'), 'submodule file\n');
    plainGit(origin, 'init', '-q', '-b', 'main');
    plainGit(origin, 'add', '.');
    plainGit(origin, ...identity, 'commit', '-q', '-m', 'sub');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'a.txt'), 'one\n');
    plainGit(workspace, 'init', '-q', '-b', 'main');
    plainGit(workspace, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', origin, 'sub');
    plainGit(workspace, 'add', '.');
    plainGit(workspace, ...identity, 'commit', '-q', '-m', 'with submodule');
    // The attack: a fake git dir (write_file can create it) with a hostile config, the submodule's gitfile pointed
    // at it, attributes naming the filter, and the file's stat changed so git hashes it again.
    const fake = join(workspace, 'fake-git-dir');
    cpSync(join(workspace, '.git', 'modules', 'sub'), fake, { recursive: true });
    plainGit(workspace, 'config', '-f', join(fake, 'config'), 'core.worktree', join(workspace, 'sub'));
    for (const [key, value] of stage.hostileConfig)
      plainGit(workspace, 'config', '-f', join(fake, 'config'), key, value);
    writeFileSync(join(workspace, 'sub', '.git'), 'gitdir: ../fake-git-dir\n');
    writeFileSync(join(workspace, 'sub', '.gitattributes'), '* filter=x diff=x\n');
    writeFileSync(join(workspace, 'sub', 's.txt'), 'submodule file\n');
    writeFileSync(join(workspace, 'a.txt'), 'two\n');

    // Control: plain git does run the planted filter, so the fixture is a real attack.
    plainGit(workspace, 'status', '--porcelain');
    expect(stage.ran()).toContain('filter-clean');
    stage.clear();

    const { status, diff } = await herdTouchesTheRepository({
      parent: stage.parent,
      workspace,
      repository: true,
    });
    expect(status.ok).toBe(true);
    expect(status.content).toContain('a.txt');
    expect(diff.content).toContain('+two');
    expect(stage.ran()).toEqual([]);
  });

  it('a workspace that becomes a repository with a hostile .git: no filter, fsmonitor, hook, pager or external diff runs', async () => {
    const stage = createStage();
    const workspace = join(stage.parent, 'workspace');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'a.txt'), 'one\n');
    writeFileSync(join(workspace, 'b.txt'), 'unchanged\n');
    // What one approved sandboxed command can do in a workspace that is not a repository yet.
    plainGit(workspace, 'init', '-q', '-b', 'main');
    plainGit(workspace, 'add', '.');
    plainGit(workspace, ...identity, 'commit', '-q', '-m', 'planted');
    for (const [key, value] of stage.hostileConfig) plainGit(workspace, 'config', key, value);
    writeFileSync(join(workspace, '.gitattributes'), '* filter=x diff=x merge=x\n');
    writeFileSync(join(workspace, 'a.txt'), 'two\n');
    writeFileSync(join(workspace, 'b.txt'), 'unchanged\n');

    // Control: plain git runs the planted programs.
    plainGit(workspace, 'status', '--porcelain');
    plainGit(workspace, 'diff');
    // diff.x.command wins over diff.external for files with the diff=x attribute.
    expect(stage.ran()).toEqual(expect.arrayContaining(['filter-clean', 'fsmonitor', 'diff-command']));
    stage.clear();

    const { status, diff, staged } = await herdTouchesTheRepository({
      parent: stage.parent,
      workspace,
      repository: true,
    });
    expect(status.content).toContain('a.txt');
    expect(diff.content).toContain('+two');
    expect(staged.ok).toBe(true);
    expect(stage.ran()).toEqual([]);
    // The CI commit still works, made with plumbing.
    expect(plainGit(workspace, 'show', 'herd/attack:new.txt')).toBe('x\n');
  });

  it('refuses to run git where a filter name cannot be switched off on the command line', async () => {
    const stage = createStage();
    const workspace = join(stage.parent, 'workspace');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'a.txt'), 'one\n');
    plainGit(workspace, 'init', '-q', '-b', 'main');
    plainGit(workspace, 'add', '.');
    plainGit(workspace, ...identity, 'commit', '-q', '-m', 'planted');
    plainGit(workspace, 'config', 'filter.a=b.clean', stage.hostileConfig[0]![1]);
    writeFileSync(join(workspace, '.gitattributes'), '* filter=a=b\n');
    writeFileSync(join(workspace, 'a.txt'), 'one\n');
    plainGit(workspace, 'status', '--porcelain');
    expect(stage.ran()).toEqual(['filter-clean']);
    stage.clear();

    const { dispatcher } = await createWorkspaceTools({
      workspace,
      config: { checkpoints: { enabled: false }, fetchUrl: { enabled: false } },
    });
    const status = await dispatcher.dispatch({ name: 'git_status' });
    expect(status.error?.code).toBe('git_config_unsafe');
    expect(status.content).toContain("'a=b'");
    expect(stage.ran()).toEqual([]);
  });
});
