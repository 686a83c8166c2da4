import { describe, expect, it } from 'vitest';
import { guardPolicyPresets } from '../../src/policy/guard-policy-presets.js';
import { guardPolicyWeakenings } from '../../src/policy/guard-policy-weakenings.js';

const paths = (value: unknown) => guardPolicyWeakenings(value).map((weakening) => weakening.path);

describe('what a guard policy weakens against balanced', () => {
  it('finds nothing in balanced, strict, or balanced made stricter', () => {
    expect(guardPolicyWeakenings(undefined)).toEqual([]);
    expect(guardPolicyWeakenings('balanced')).toEqual([]);
    expect(guardPolicyWeakenings('strict')).toEqual([]);
    expect(
      guardPolicyWeakenings({
        extends: 'balanced',
        points: { tool_output: { scanners: { prompt_guard: { action: 'block', threshold: 0.5 } } } },
      }),
    ).toEqual([]);
  });

  it('finds the guard switched off', () => {
    expect(guardPolicyWeakenings('off')).toEqual([
      { path: 'policy', what: 'switches the guard off: nothing is scanned' },
    ]);
  });

  it('finds a scanner disabled, acting more weakly, or needing a higher score', () => {
    expect(
      guardPolicyWeakenings({
        extends: 'balanced',
        points: { tool_output: { scanners: { prompt_guard: { enabled: false, action: 'ask' } } } },
      }),
    ).toEqual([
      {
        path: 'policy.points.tool_output.scanners.prompt_guard',
        what: 'does not run prompt_guard',
      },
    ]);
    expect(
      paths({
        extends: 'balanced',
        points: { tool_call: { scanners: { llama_guard: { action: 'warn' } } } },
      }),
    ).toEqual(['policy.points.tool_call.scanners.llama_guard']);
    expect(
      paths({
        extends: 'balanced',
        points: { repo_content: { scanners: { prompt_guard: { action: 'ask', threshold: 0.99 } } } },
      }),
    ).toEqual(['policy.points.repo_content.scanners.prompt_guard']);
  });

  it('finds a weakening in one mode only, and a weaker action on scanner errors', () => {
    expect(
      guardPolicyWeakenings({
        extends: 'balanced',
        points: {
          model_output: {
            modes: { ci: { scanners: { llama_guard: { action: 'allow' } } } },
            onError: 'warn',
          },
        },
      }),
    ).toEqual([
      { path: 'policy.points.model_output.onError', what: 'warn when a scanner fails' },
      { path: 'policy.points.model_output.scanners.llama_guard', what: 'allow instead of block (ci mode)' },
    ]);
  });

  it('finds Llama Guard categories excluded and default patterns dropped', () => {
    expect(paths({ extends: 'balanced', excludedCategories: ['S14'] })).toEqual([
      'policy.excludedCategories',
    ]);
    expect(paths({ ...guardPolicyPresets.balanced, patterns: [] })).toEqual(['policy.patterns']);
  });
});
