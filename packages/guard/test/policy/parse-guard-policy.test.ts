import { ConfigError } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { guardPolicyPresets } from '../../src/policy/guard-policy-presets.js';
import { parseGuardPolicy } from '../../src/policy/parse-guard-policy.js';
import { resolvePointPolicy } from '../../src/policy/resolve-point-policy.js';

describe('parseGuardPolicy', () => {
  it('defaults to the balanced preset', () => {
    expect(parseGuardPolicy(undefined).name).toBe('balanced');
  });

  it('accepts each preset by name and each preset survives a JSON round trip', () => {
    for (const name of Object.keys(guardPolicyPresets)) {
      const policy = parseGuardPolicy(name);
      expect(policy.name).toBe(name);
      expect(parseGuardPolicy(JSON.parse(JSON.stringify(policy)))).toEqual(policy);
    }
  });

  it('lays a policy object over the preset it extends, scanner by scanner', () => {
    const policy = parseGuardPolicy({
      extends: 'balanced',
      points: { tool_output: { scanners: { prompt_guard: { action: 'block', threshold: 0.7 } } } },
    });
    expect(policy.points.tool_output?.scanners.prompt_guard).toEqual({
      enabled: true,
      action: 'block',
      threshold: 0.7,
    });
    expect(policy.points.tool_output?.scanners.secrets?.action).toBe('redact');
  });
});

describe('parseGuardPolicy with an invalid policy', () => {
  it('refuses a value that is neither a preset name nor an object, naming the value and both ways to fix it', () => {
    const error = policyError(42, '/project/herd.config.json');
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('policy_invalid');
    expect(error.source).toBe('/project/herd.config.json');
    expect(error.issues).toEqual([
      {
        path: 'policy',
        message:
          'expected a preset name (off, balanced, strict) or a policy object but found 42; write one of "off", "balanced", "strict" in double quotes, or a policy object in braces',
      },
    ]);
    expect(error.message).toBe(
      'The guard policy in /project/herd.config.json is invalid: policy: expected a preset name (off, balanced, strict) or a policy object but found 42; write one of "off", "balanced", "strict" in double quotes, or a policy object in braces.',
    );
  });

  it.each([true, null, ['balanced']])('refuses %j as a policy in the same way', (value) => {
    const error = policyError(value);
    expect(error.code).toBe('policy_invalid');
    expect(error.message).toContain(
      `policy: expected a preset name (off, balanced, strict) or a policy object but found ${JSON.stringify(value)}`,
    );
  });

  it('refuses an unknown preset name, listing the presets', () => {
    const error = policyError('paranoid', '/project/herd.config.json');
    expect(error.code).toBe('policy_invalid');
    expect(error.issues).toEqual([
      { path: 'policy', message: '"paranoid" is not a preset; use one of "off", "balanced", "strict"' },
    ]);
    expect(error.message).toBe(
      'Unknown guard policy preset \'paranoid\' at policy in /project/herd.config.json; use one of "off", "balanced", "strict" or a policy object.',
    );
  });

  it('refuses extends naming no preset, at policy.extends', () => {
    const error = policyError({ extends: 'paranoid', blockOutcome: 'error' });
    expect(error.code).toBe('policy_invalid');
    expect(error.message).toBe(
      'The guard policy is invalid: policy.extends: "paranoid" is not a preset; use one of "off", "balanced", "strict", or remove extends to write the whole policy.',
    );
  });

  it('names the exact path, the value and the allowed actions of an invalid scanner action', () => {
    const error = policyError({
      points: { tool_output: { scanners: { prompt_guard: { action: 'explode' } } } },
    });
    expect(error.code).toBe('policy_invalid');
    expect(error.issues).toEqual([
      {
        path: 'policy.points.tool_output.scanners.prompt_guard.action',
        message: expect.stringMatching(
          /^"explode" is not allowed; use one of "allow", "warn", "ask", "block", "redact"/,
        ),
      },
    ]);
    expect(error.message).toContain(
      'policy.points.tool_output.scanners.prompt_guard.action: "explode" is not allowed',
    );
  });

  it('names a misspelt scanner in a policy that extends a preset', () => {
    const error = policyError({
      extends: 'balanced',
      points: { tool_output: { scanners: { promptguard: { action: 'block' } } } },
    });
    expect(error.issues).toEqual([
      {
        path: 'policy.points.tool_output.scanners.promptguard',
        message: "unknown key 'promptguard': remove it or check the spelling",
      },
    ]);
  });

  it('names the value of an out-of-range threshold', () => {
    const error = policyError({
      extends: 'strict',
      points: { repo_content: { scanners: { prompt_guard: { action: 'block', threshold: 5 } } } },
    });
    expect(error.message).toContain(
      'policy.points.repo_content.scanners.prompt_guard.threshold: 5 is too big',
    );
  });

  it('suggests the presets in the hint', () => {
    expect(policyError({ blockOutcome: 'stop' }).hint).toContain('"off", "balanced", "strict"');
  });
});

describe('resolvePointPolicy', () => {
  const policy = parseGuardPolicy({
    points: {
      tool_output: {
        scanners: { hidden_text: { action: 'ask' }, prompt_guard: { action: 'ask' } },
        modes: { plan: { scanners: { prompt_guard: { action: 'warn', threshold: 0.99 } } } },
      },
    },
  });

  it('fails closed: ask interactively, block in ci', () => {
    expect(resolvePointPolicy({ policy, point: 'tool_output', mode: 'act' }).onError).toBe('ask');
    expect(resolvePointPolicy({ policy, point: 'tool_output', mode: 'ci' }).onError).toBe('block');
  });

  it('turns ask into block in ci, where nobody can answer', () => {
    const rules = resolvePointPolicy({ policy, point: 'tool_output', mode: 'ci' }).rules;
    expect(rules.map((rule) => rule.action)).toEqual(['block', 'block']);
  });

  it('applies a mode override and default thresholds', () => {
    const act = resolvePointPolicy({ policy, point: 'tool_output', mode: 'act' }).rules;
    const plan = resolvePointPolicy({ policy, point: 'tool_output', mode: 'plan' }).rules;
    expect(act).toEqual([
      { scanner: 'hidden_text', threshold: 0.5, action: 'ask' },
      { scanner: 'prompt_guard', threshold: 0.9, action: 'ask' },
    ]);
    expect(plan[1]).toEqual({ scanner: 'prompt_guard', threshold: 0.99, action: 'warn' });
  });

  it('scans nothing at a point the policy leaves out', () => {
    expect(resolvePointPolicy({ policy, point: 'user_input', mode: 'act' }).rules).toEqual([]);
  });
});

function policyError(value: unknown, source?: string): ConfigError {
  try {
    parseGuardPolicy(value, source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the policy to be refused');
}
