import { describe, expect, it } from 'vitest';
import { toolsConfigWeakenings } from '../../src/config/tools-config-weakenings.js';

const paths = (value: unknown) => toolsConfigWeakenings(value).map((weakening) => weakening.path);

describe('what the tools section weakens', () => {
  it('finds nothing in the defaults, nor in settings that only tighten or resize', () => {
    expect(toolsConfigWeakenings(undefined)).toEqual([]);
    expect(
      toolsConfigWeakenings({
        sandbox: { mode: 'required' },
        jail: { deny: ['secrets/**'] },
        commands: {
          defaultDecision: 'deny',
          rules: [
            { program: 'curl', decision: 'deny' },
            { program: 'npm', args: ['publish*'], decision: 'ask' },
          ],
          envAllow: ['NODE_ENV'],
          timeoutMs: 600_000,
        },
        fetchUrl: { enabled: true },
        checkpoints: { enabled: false },
        readLimitBytes: 10,
      }),
    ).toEqual([]);
  });

  it('finds the sandbox off or its network on', () => {
    expect(toolsConfigWeakenings({ sandbox: { mode: 'off' } })).toEqual([
      { path: 'tools.sandbox.mode', what: 'turns the command sandbox off: commands run unsandboxed' },
    ]);
    expect(paths({ sandbox: { network: true } })).toEqual(['tools.sandbox.network']);
  });

  it('finds commands run without asking: by rule, by default, or as shell lines', () => {
    expect(
      toolsConfigWeakenings({ commands: { rules: [{ program: 'npm', args: ['test'], decision: 'allow' }] } }),
    ).toEqual([{ path: 'tools.commands.rules.0', what: 'runs `npm test` without asking' }]);
    expect(paths({ commands: { defaultDecision: 'allow' } })).toEqual(['tools.commands.defaultDecision']);
    expect(paths({ commands: { allowShell: true } })).toEqual(['tools.commands.allowShell']);
  });

  it('finds an ask rule placed where a built-in rule refuses (sudo, force pushes), not one that only asks', () => {
    expect(paths({ commands: { rules: [{ program: 'sudo', decision: 'ask' }] } })).toEqual([
      'tools.commands.rules.0',
    ]);
    expect(paths({ commands: { rules: [{ program: '*', decision: 'ask' }] } })).toEqual([
      'tools.commands.rules.0',
    ]);
    expect(paths({ commands: { rules: [{ program: 'git', args: ['push*'], decision: 'ask' }] } })).toEqual([
      'tools.commands.rules.0',
    ]);
    expect(paths({ commands: { rules: [{ program: 'git', args: ['status'], decision: 'ask' }] } })).toEqual(
      [],
    );
    expect(paths({ commands: { rules: [{ program: 'npm', decision: 'ask' }] } })).toEqual([]);
  });

  it('finds variables passed to commands beyond the built-in list, the built-in deny globs off, fetch hosts, and a checkpoint store where the configuration chose', () => {
    expect(toolsConfigWeakenings({ commands: { envAllow: ['NODE_ENV', 'AWS_*'] } })).toEqual([
      { path: 'tools.commands.envAllow', what: "passes AWS_* from Herd's environment to every command" },
    ]);
    expect(paths({ jail: { defaultDeny: false } })).toEqual(['tools.jail.defaultDeny']);
    expect(paths({ fetchUrl: { allowHosts: ['collector.example'] } })).toEqual(['tools.fetchUrl.allowHosts']);
    expect(paths({ checkpoints: { directory: '../../.git' } })).toEqual(['tools.checkpoints.directory']);
  });
});
