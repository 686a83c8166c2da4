import { describe, expect, it } from 'vitest';
import { evaluateCommandPolicy } from '../../src/commands/command-policy.js';

describe('evaluateCommandPolicy', () => {
  it.each([
    [['sudo', 'rm', '-rf', '/'], 'deny'],
    [['git', 'push', '--force', 'origin', 'main'], 'deny'],
    [['git', 'push', 'origin', '+main'], 'deny'],
    [['git', 'push', 'origin', 'feature/x'], 'ask'],
    [['git', 'status'], 'allow'],
    [['git', 'diff', 'HEAD~1', '--', 'src/a.ts'], 'allow'],
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
  ] as const)('decides %j as %s by default', (argv, decision) => {
    expect(evaluateCommandPolicy({ argv }).decision).toBe(decision);
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
