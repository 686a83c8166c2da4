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

  it('names every invalid value by its path', () => {
    expect(() =>
      parseGuardPolicy({ points: { tool_output: { scanners: { prompt_guard: { action: 'explode' } } } } }),
    ).toThrow(
      expect.objectContaining({
        code: 'policy_invalid',
        issues: [expect.objectContaining({ path: 'policy.points.tool_output.scanners.prompt_guard.action' })],
      }),
    );
  });

  it('refuses an unknown preset name', () => {
    expect(() => parseGuardPolicy('paranoid')).toThrow(/Unknown guard policy preset 'paranoid'/);
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
