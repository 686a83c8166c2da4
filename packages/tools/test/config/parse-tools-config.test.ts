import { ConfigError } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { parseToolsConfig } from '../../src/config/parse-tools-config.js';

describe('parseToolsConfig', () => {
  it('applies every default to an empty or missing section', () => {
    const config = parseToolsConfig(undefined);
    expect(config.commands).toMatchObject({ defaultDecision: 'ask', allowShell: false, timeoutMs: 120_000 });
    expect(config.sandbox).toEqual({ mode: 'auto', network: false });
    expect(config.jail).toEqual({ deny: [], defaultDeny: true });
  });

  it('keeps valid settings as written', () => {
    const config = parseToolsConfig({
      commands: { rules: [{ program: 'git', args: ['push *'], decision: 'deny' }], timeoutMs: 5_000 },
      sandbox: { mode: 'off' },
    });
    expect(config.commands.rules).toEqual([{ program: 'git', args: ['push *'], decision: 'deny' }]);
    expect(config.commands.timeoutMs).toBe(5_000);
    expect(config.sandbox.mode).toBe('off');
  });
});

describe('parseToolsConfig with an invalid section', () => {
  it('names the path, the value and the fix of a value of the wrong type, and the file it is in', () => {
    const error = toolsError({ commands: { rules: 'allow all' } }, '/project/herd.config.json');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('config_invalid');
    expect(error.source).toBe('/project/herd.config.json');
    expect(error.issues).toEqual([
      {
        path: 'tools.commands.rules',
        message: expect.stringMatching(
          /^expected an? array but found "allow all"; write a list in square brackets$/,
        ),
      },
    ]);
    expect(error.message).toMatch(
      /^The tools section of \/project\/herd\.config\.json is invalid: tools\.commands\.rules: expected an? array but found "allow all"; write a list in square brackets\.$/,
    );
  });

  it('names an unknown key and says to remove it or check the spelling', () => {
    const error = toolsError({ bogus: 1 }, '/project/herd.config.json');
    expect(error.code).toBe('config_invalid');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toMatch(/^tools/);
    expect(error.message).toContain("unknown key 'bogus': remove it or check the spelling");
  });

  it('names the exact path inside a list and the allowed values', () => {
    const error = toolsError({ commands: { rules: [{ program: 'git', decision: 'maybe' }] } });
    expect(error.issues).toEqual([
      {
        path: 'tools.commands.rules.0.decision',
        message: '"maybe" is not allowed; use one of "allow", "ask", "deny"',
      },
    ]);
  });

  it('names a required value that is missing', () => {
    const error = toolsError({ commands: { rules: [{ decision: 'allow' }] } });
    expect(error.issues).toEqual([
      { path: 'tools.commands.rules.0.program', message: expect.stringMatching(/^is required/) },
    ]);
  });

  it('names the value of a number out of range', () => {
    const error = toolsError({ commands: { timeoutMs: -5 } });
    expect(error.message).toContain('tools.commands.timeoutMs: -5 is too small');
  });

  it('lists every problem, not only the first', () => {
    const error = toolsError({ sandbox: 'off', readLimitBytes: '1mb' });
    expect(error.issues.map((issue) => issue.path)).toEqual(['tools.sandbox', 'tools.readLimitBytes']);
    expect(error.message).toMatch(/tools\.sandbox: expected an? object but found "off"/);
  });

  it('refuses a section that is not an object', () => {
    const error = toolsError('none');
    expect(error.issues).toEqual([{ path: 'tools', message: expect.stringContaining('found "none"') }]);
  });

  it('says "the configuration" when the file is not known', () => {
    expect(toolsError({ bogus: 1 }).message).toMatch(/^The tools section of the configuration is invalid: /);
  });
});

function toolsError(input: unknown, source?: string): ConfigError {
  try {
    parseToolsConfig(input, source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the tools section to be refused');
}
