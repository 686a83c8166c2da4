import { ConfigError } from '@herd/core';
import { type GuardPolicy, GuardPolicySchema } from './guard-policy.js';
import { type GuardPolicyPresetName, guardPolicyPresets } from './guard-policy-presets.js';

const presetNames = Object.keys(guardPolicyPresets) as GuardPolicyPresetName[];

/**
 * Parses `HerdConfig.policy`: a preset name (`strict`, `balanced`, `off`), a policy object, or a policy object with
 * `extends: '<preset>'`, whose points and scanner rules are laid over the preset's. Undefined means `balanced`.
 *
 * @param value - The configured policy.
 * @param source - Where it came from, for error messages; defaults to `policy`.
 * @throws ConfigError `policy_invalid` listing every problem with its path.
 */
export function parseGuardPolicy(value: unknown, source = 'policy'): GuardPolicy {
  if (value === undefined) return GuardPolicySchema.parse(guardPolicyPresets.balanced);
  if (typeof value === 'string') {
    const preset = guardPolicyPresets[value as GuardPolicyPresetName];
    if (!preset) {
      throw new ConfigError({
        code: 'policy_invalid',
        source,
        message: `Unknown guard policy preset '${value}'; use one of ${presetNames.join(', ')} or a policy object.`,
      });
    }
    return GuardPolicySchema.parse(preset);
  }
  let candidate: unknown = value;
  if (isRecord(value) && 'extends' in value) {
    const { extends: base, ...rest } = value;
    const preset = typeof base === 'string' ? guardPolicyPresets[base as GuardPolicyPresetName] : undefined;
    if (!preset) {
      throw new ConfigError({
        code: 'policy_invalid',
        source,
        message: `policy.extends is '${String(base)}'; it must name a preset: ${presetNames.join(', ')}.`,
      });
    }
    candidate = mergePolicies(preset as Record<string, unknown>, rest);
  }
  const parsed = GuardPolicySchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: ['policy', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new ConfigError({
    code: 'policy_invalid',
    source,
    issues,
    message: `The guard policy is invalid at ${issues.map((issue) => issue.path).join(', ')}; fix ${issues.length === 1 ? 'it' : 'them'} (see the guard README for the shape).`,
  });
}

/** Lays `override` over `base`: objects merge key by key (points, scanners, modes), anything else replaces. */
function mergePolicies(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const existing = merged[key];
    merged[key] = isRecord(existing) && isRecord(value) ? mergePolicies(existing, value) : value;
  }
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
