import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PathDeniedError } from '../../src/errors/path-denied-error.js';
import { createWorkspaceJail } from '../../src/jail/workspace-jail.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PathDeniedError);
  return error as PathDeniedError;
};

describe('createWorkspaceJail', () => {
  it('resolves a plain relative path to a real path inside the root', async () => {
    const { root } = await createTemporaryWorkspace({ 'src/a.ts': 'x' });
    const jail = await createWorkspaceJail({ root });
    const resolved = await jail.resolve({ path: 'src/a.ts', intent: 'read' });
    expect(resolved).toMatchObject({ relative: 'src/a.ts', exists: true });
    expect(resolved.absolute.startsWith(jail.root)).toBe(true);
  });

  it.each([
    '../outside/secret.txt',
    'src/../../outside/secret.txt',
    '..',
    '../../../../../../etc/passwd',
    '..\\outside\\secret.txt',
    'src\\..\\..\\outside/secret.txt',
    'src/./../.././outside/secret.txt',
    '/etc/passwd',
    '//etc/passwd',
  ])('refuses the escape %j as outside the workspace', async (attack) => {
    const { root } = await createTemporaryWorkspace({ 'src/a.ts': 'x' });
    const jail = await createWorkspaceJail({ root });
    const error = await refusal(jail.resolve({ path: attack, intent: 'read' }));
    expect(error.rule).toBe('outside_workspace');
    expect(error.message).toContain('outside the workspace');
  });

  it.each([
    '%2e%2e/outside/secret.txt',
    '..%2Foutside%2Fsecret.txt',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '.../x',
    '..../outside',
  ])('treats the encoded form %j as a literal name that stays inside', async (attack) => {
    const { root } = await createTemporaryWorkspace();
    const jail = await createWorkspaceJail({ root });
    const resolved = await jail.resolve({ path: attack, intent: 'write' });
    expect(resolved.absolute.startsWith(`${jail.root}/`)).toBe(true);
  });

  it('accepts an absolute path inside the workspace, also through the unresolved root spelling', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'x' });
    await symlink(root, path.join(parent, 'alias'));
    const jail = await createWorkspaceJail({ root: path.join(parent, 'alias') });
    expect((await jail.resolve({ path: path.join(parent, 'alias', 'a.txt'), intent: 'read' })).relative).toBe(
      'a.txt',
    );
    expect((await jail.resolve({ path: path.join(root, 'a.txt'), intent: 'read' })).relative).toBe('a.txt');
  });

  it('refuses empty paths and NUL bytes as invalid', async () => {
    const { root } = await createTemporaryWorkspace();
    const jail = await createWorkspaceJail({ root });
    expect((await refusal(jail.resolve({ path: '', intent: 'read' }))).rule).toBe('invalid_path');
    expect((await refusal(jail.resolve({ path: 'a\0/../../etc/passwd', intent: 'read' }))).rule).toBe(
      'invalid_path',
    );
  });

  it('refuses a symlink pointing outside, naming the link', async () => {
    const { root, outside } = await createTemporaryWorkspace();
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'innocent.txt'));
    const jail = await createWorkspaceJail({ root });
    const error = await refusal(jail.resolve({ path: 'innocent.txt', intent: 'read' }));
    expect(error.rule).toBe('symlink_escape');
    expect(error.message).toContain("'innocent.txt'");
  });

  it('refuses an intermediate directory symlink pointing outside, for reads and for new files', async () => {
    const { root, outside } = await createTemporaryWorkspace();
    await symlink(outside, path.join(root, 'docs'));
    const jail = await createWorkspaceJail({ root });
    expect((await refusal(jail.resolve({ path: 'docs/secret.txt', intent: 'read' }))).rule).toBe(
      'symlink_escape',
    );
    expect((await refusal(jail.resolve({ path: 'docs/new/file.txt', intent: 'write' }))).rule).toBe(
      'symlink_escape',
    );
  });

  it('follows a chain of symlinks and refuses when the last hop leaves the workspace', async () => {
    const { root, outside } = await createTemporaryWorkspace();
    await symlink(outside, path.join(root, 'hop3'));
    await symlink('hop3', path.join(root, 'hop2'));
    await symlink('./hop2', path.join(root, 'hop1'));
    const jail = await createWorkspaceJail({ root });
    expect((await refusal(jail.resolve({ path: 'hop1/secret.txt', intent: 'read' }))).rule).toBe(
      'symlink_escape',
    );
  });

  it('refuses a dangling symlink whose target would be created outside', async () => {
    const { root, outside } = await createTemporaryWorkspace();
    await symlink(path.join(outside, 'not-yet', 'planted.sh'), path.join(root, 'planted.sh'));
    const jail = await createWorkspaceJail({ root });
    expect((await refusal(jail.resolve({ path: 'planted.sh', intent: 'write' }))).rule).toBe(
      'symlink_escape',
    );
  });

  it('accepts symlinks that stay inside the workspace', async () => {
    const { root } = await createTemporaryWorkspace({ 'real/a.txt': 'x' });
    await symlink('real', path.join(root, 'alias'));
    const jail = await createWorkspaceJail({ root });
    expect((await jail.resolve({ path: 'alias/a.txt', intent: 'read' })).relative).toBe('real/a.txt');
  });

  it('checks symlinks created after the jail was made', async () => {
    const { root, outside } = await createTemporaryWorkspace({ 'later.txt': 'fine' });
    const jail = await createWorkspaceJail({ root });
    await jail.resolve({ path: 'later.txt', intent: 'read' });
    await rename(path.join(root, 'later.txt'), path.join(root, 'old.txt'));
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'later.txt'));
    expect((await refusal(jail.resolve({ path: 'later.txt', intent: 'read' }))).rule).toBe('symlink_escape');
  });

  it('refuses to open a file swapped for an outside symlink after it was resolved', async () => {
    const { root, outside } = await createTemporaryWorkspace({ 'swap.txt': 'inside' });
    const jail = await createWorkspaceJail({ root });
    const resolved = await jail.resolve({ path: 'swap.txt', intent: 'read' });
    // The swap happens between the check and the use; openForRead re-resolves, so simulate the race on the handle.
    await rename(path.join(root, 'swap.txt'), path.join(root, 'moved.txt'));
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'swap.txt'));
    const { open } = await import('node:fs/promises');
    const { constants } = await import('node:fs');
    const opened = await open(resolved.absolute, constants.O_RDONLY | constants.O_NOFOLLOW).then(
      () => 'opened',
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(opened).toBe('ELOOP');
    expect((await refusal(jail.openForRead('swap.txt'))).rule).toBe('symlink_escape');
  });

  it('detects a handle that was opened through a swapped directory', async () => {
    const { root, outside } = await createTemporaryWorkspace({ 'dir/a.txt': 'x' });
    const jail = await createWorkspaceJail({ root });
    const { open } = await import('node:fs/promises');
    const handle = await open(path.join(outside, 'secret.txt'), 'r');
    try {
      expect((await refusal(jail.assertHandleInside({ handle, path: 'dir/a.txt' }))).rule).toBe(
        'symlink_escape',
      );
    } finally {
      await handle.close();
    }
  });

  it('refuses FIFOs and device files', async () => {
    const { root } = await createTemporaryWorkspace();
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    await symlink('/dev/zero', path.join(root, 'zero'));
    const jail = await createWorkspaceJail({ root });
    const fifo = await refusal(jail.resolve({ path: 'pipe', intent: 'read' }));
    expect(fifo.rule).toBe('special_file');
    expect(fifo.message).toContain('FIFO');
    expect((await refusal(jail.resolve({ path: 'zero', intent: 'read' }))).rule).toBe('symlink_escape');
    const jailedDev = await createWorkspaceJail({ root: '/dev' });
    expect((await refusal(jailedDev.resolve({ path: 'zero', intent: 'read' }))).rule).toBe('special_file');
  });

  it('refuses writes into .git, and reads too: its config can hold credentials in remote URLs', async () => {
    const { root } = await createTemporaryWorkspace({
      '.git/config': '[remote "origin"]\n\turl = https://user:ghp_token@example.com/repo.git\n',
      'sub/.git/HEAD': 'ref',
    });
    const jail = await createWorkspaceJail({ root });
    expect((await refusal(jail.resolve({ path: '.git/hooks/pre-commit', intent: 'write' }))).rule).toBe(
      'git_directory',
    );
    expect((await refusal(jail.resolve({ path: 'sub/.git/HEAD', intent: 'write' }))).rule).toBe(
      'git_directory',
    );
    expect((await refusal(jail.resolve({ path: 'src/../.git/config', intent: 'write' }))).rule).toBe(
      'git_directory',
    );
    const read = await refusal(jail.resolve({ path: '.git/config', intent: 'read' }));
    expect(read.rule).toBe('git_directory');
    expect(read.message).toContain('git_status');
    expect((await refusal(jail.resolve({ path: 'sub/.git', intent: 'read' }))).rule).toBe('git_directory');
  });

  // A case-insensitive file system (macOS, Windows) opens `.GIT/hooks` as `.git/hooks`: every rule about a name
  // compares names as such a file system does, whatever the file system here.
  it.each([
    ['.GIT/hooks/pre-commit', 'write', 'git_directory'],
    ['.Git/config', 'read', 'git_directory'],
    ['sub/.git./config', 'read', 'git_directory'],
    ['.g\u200cit/config', 'read', 'git_directory'],
    ['.HERD/plans/p1/plan.json', 'write', 'herd_state'],
    ['.Herd/audit.log', 'read', 'herd_state'],
    ['HERD.CONFIG.JSON', 'write', 'herd_config'],
    ['.ENV', 'read', 'deny_glob'],
    ['config/.Env.Production', 'read', 'deny_glob'],
    ['keys/ID_RSA', 'read', 'deny_glob'],
    ['certs/Server.PEM', 'write', 'deny_glob'],
    ['.SSH/known_hosts', 'read', 'deny_glob'],
  ] as const)('refuses %j (%s) as %s whatever its case', async (attack, intent, rule) => {
    const { root } = await createTemporaryWorkspace();
    const jail = await createWorkspaceJail({ root, deny: ['Private/**'] });
    expect((await refusal(jail.resolve({ path: attack, intent }))).rule).toBe(rule);
    expect((await refusal(jail.resolve({ path: 'private/NOTES.md', intent: 'read' }))).rule).toBe(
      'deny_glob',
    );
  });

  // What the first folding missed: letters that NTFS's and APFS's case tables fold but JavaScript's toLowerCase()
  // leaves alone (dotless ı, long ſ), NTFS streams (`.git::$INDEX_ALLOCATION` is the folder `.git`) and 8.3 short
  // names (`GIT~1`).
  it.each([
    ['.gıt/config', 'read', 'git_directory'],
    ['.GIT::$INDEX_ALLOCATION/config', 'read', 'git_directory'],
    ['.git:stream/hooks/pre-commit', 'write', 'git_directory'],
    ['GIT~1/config', 'read', 'git_directory'],
    ['sub/git~2/hooks/pre-commit', 'write', 'git_directory'],
    ['HERD~1/sessions.db', 'read', 'herd_state'],
    ['herd.config.jſon', 'write', 'herd_config'],
    ['HERD.CONFIG.JSON::$DATA', 'write', 'herd_config'],
    ['HERDCO~1.JSO', 'write', 'herd_config'],
    ['.npmrc::$DATA', 'read', 'deny_glob'],
    ['aws/credentials:$DATA', 'read', 'deny_glob'],
    ['keys/id_rſa', 'read', 'deny_glob'],
    ['.awſ/config', 'read', 'deny_glob'],
    ['.\u212Aube/config', 'read', 'deny_glob'],
    ['certs/server.pem:backup', 'write', 'deny_glob'],
  ] as const)('refuses %j (%s) as %s as NTFS or APFS would open it', async (attack, intent, rule) => {
    const { root } = await createTemporaryWorkspace();
    const jail = await createWorkspaceJail({ root });
    expect((await refusal(jail.resolve({ path: attack, intent }))).rule).toBe(rule);
  });

  it('still reads and writes names no file system takes for a protected one', async () => {
    const { root } = await createTemporaryWorkspace();
    const jail = await createWorkspaceJail({ root });
    for (const name of [
      '\uFF0Egit/config',
      'docs/notes:2024.md',
      'caf\u00e9.txt',
      'cafe\u0301.txt',
      'stra\u00dfe.txt',
      'git~one/readme.md',
      'herd.config.json.example',
      'environment-notes.md',
    ]) {
      expect((await jail.resolve({ path: name, intent: 'write' })).relative).toBe(name);
    }
  });

  it('matches a deny glob typed in NFD against names in either form', async () => {
    const { root } = await createTemporaryWorkspace();
    const jail = await createWorkspaceJail({ root, deny: ['Cafe\u0301/**'] });
    for (const name of ['caf\u00e9/menu.txt', 'cafe\u0301/menu.txt']) {
      expect((await refusal(jail.resolve({ path: name, intent: 'read' }))).rule).toBe('deny_glob');
    }
  });

  it('refuses writing herd.config.json in any folder, since a run started there would read it', async () => {
    const { root } = await createTemporaryWorkspace({ 'herd.config.json': '{}', 'sub/a.txt': 'x' });
    const jail = await createWorkspaceJail({ root });
    for (const target of ['sub/herd.config.json', 'deep/new/herd.config.json', 'sub/Herd.Config.Json']) {
      const error = await refusal(jail.resolve({ path: target, intent: 'write' }));
      expect(error.rule).toBe('herd_config');
      expect(error.message).toContain('nearest one above');
    }
    expect((await jail.resolve({ path: 'herd.config.json', intent: 'read' })).exists).toBe(true);
  });

  it('refuses writing through a symlink whose target is a nested herd.config.json', async () => {
    const { root } = await createTemporaryWorkspace({ 'sub/herd.config.json': '{}' });
    await symlink('sub/herd.config.json', path.join(root, 'settings.json'));
    const jail = await createWorkspaceJail({ root });
    expect((await refusal(jail.resolve({ path: 'settings.json', intent: 'write' }))).rule).toBe(
      'herd_config',
    );
  });

  it('refuses writes through a symlink into .git', async () => {
    const { root } = await createTemporaryWorkspace({ '.git/hooks/.keep': '' });
    await symlink('.git/hooks', path.join(root, 'hooks'));
    const jail = await createWorkspaceJail({ root });
    expect((await refusal(jail.resolve({ path: 'hooks/post-checkout', intent: 'write' }))).rule).toBe(
      'git_directory',
    );
  });

  it.each([
    '.env',
    'config/.env.production',
    'certs/server.pem',
    'home/.ssh/id_ed25519',
    'id_rsa',
    'deploy/credentials.json',
    '.npmrc',
    '.aws/credentials',
  ])('refuses the secret-looking path %j with the deny rule named', async (secret) => {
    const { root } = await createTemporaryWorkspace({ [secret]: 'TOKEN=1' });
    const jail = await createWorkspaceJail({ root });
    const error = await refusal(jail.resolve({ path: secret, intent: 'read' }));
    expect(error.rule).toBe('deny_glob');
    expect(error.message).toMatch(/deny rule '\*\*\//);
  });

  it('refuses a symlink that renames a denied file', async () => {
    const { root } = await createTemporaryWorkspace({ '.env': 'TOKEN=1' });
    await symlink('.env', path.join(root, 'settings.txt'));
    const jail = await createWorkspaceJail({ root });
    expect((await refusal(jail.resolve({ path: 'settings.txt', intent: 'read' }))).rule).toBe('deny_glob');
  });

  it('applies configured deny globs and can drop the defaults', async () => {
    const { root } = await createTemporaryWorkspace({ 'private/notes.md': 'x', '.env': 'A=1' });
    const jail = await createWorkspaceJail({ root, deny: ['private/**'], defaultDeny: false });
    expect((await refusal(jail.resolve({ path: 'private/notes.md', intent: 'read' }))).message).toContain(
      "'private/**'",
    );
    expect((await jail.resolve({ path: '.env', intent: 'read' })).exists).toBe(true);
  });

  it('reads a file through openForRead and never follows the outside secret', async () => {
    const { root } = await createTemporaryWorkspace({ 'ok.txt': 'inside' });
    await mkdir(path.join(root, 'sub'));
    await writeFile(path.join(root, 'sub', 'b.txt'), 'b');
    const jail = await createWorkspaceJail({ root });
    const { handle, stats } = await jail.openForRead('ok.txt');
    expect(stats.isFile()).toBe(true);
    expect(await handle.readFile('utf8')).toBe('inside');
    await handle.close();
    expect(await readFile(path.join(root, 'sub', 'b.txt'), 'utf8')).toBe('b');
  });

  it('refuses a workspace that does not exist with a user error', async () => {
    await expect(createWorkspaceJail({ root: '/nonexistent/herd/workspace' })).rejects.toMatchObject({
      code: 'workspace_invalid',
    });
  });

  it.each(['.herd/plans/plan-x/v1.json', '.herd/guard/audit.jsonl', '.herd/acp/s.json', '.herd'])(
    'never lets tools touch Herd state at %s (approvals and guard settings live there)',
    async (target) => {
      const { root } = await createTemporaryWorkspace({ 'src/a.ts': 'x' });
      const jail = await createWorkspaceJail({ root });
      expect((await refusal(jail.resolve({ path: target, intent: 'write' }))).rule).toBe('herd_state');
      expect((await refusal(jail.resolve({ path: target, intent: 'read' }))).rule).toBe('herd_state');
    },
  );

  it('lets tools read but never write herd.config.json', async () => {
    const { root } = await createTemporaryWorkspace({ 'herd.config.json': '{}' });
    const jail = await createWorkspaceJail({ root });
    await expect(jail.resolve({ path: 'herd.config.json', intent: 'read' })).resolves.toMatchObject({
      exists: true,
    });
    expect((await refusal(jail.resolve({ path: './herd.config.json', intent: 'write' }))).rule).toBe(
      'herd_config',
    );
  });
});
