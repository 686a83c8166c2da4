import { ConfigError, type ConfigIssue, formatConfigIssues } from '@herd/core';
import { type GuardPolicy, GuardPolicySchema } from './guard-policy.js';
import { type GuardPolicyPresetName, guardPolicyPresets } from './guard-policy-presets.js';

const presetNames = Object.keys(guardPolicyPresets) as GuardPolicyPresetName[];
const quotedPresetNames = presetNames.map((name) => JSON.stringify(name)).join(', ');
const presetHint = `Write a preset name (${quotedPresetNames}) or a policy object; the @herd/guard README describes the policy object.`;

/**
 * Parses `HerdConfig.policy`: a preset name (`strict`, `balanced`, `off`), a policy object, or a policy object with
 * `extends: '<preset>'`, whose points and scanner rules are laid over the preset's. Undefined means `balanced`.
 *
 * @param value - The configured policy.
 * @param source - The configuration file it came from, named in error messages when given.
 * @throws ConfigError `policy_invalid` naming every problem with its path under `policy`, its value and the fix.
 */
export function parseGuardPolicy(value: unknown, source?: string): GuardPolicy {
  if (value === undefined) return GuardPolicySchema.parse(guardPolicyPresets.balanced);
  if (typeof value === 'string') {
    const preset = guardPolicyPresets[value as GuardPolicyPresetName];
    if (preset) return GuardPolicySchema.parse(preset);
    const location = source ? `policy in ${source}` : 'policy';
    throw policyError({
      source,
      issues: [
        {
          path: 'policy',
          message: `${JSON.stringify(value)} is not a preset; use one of ${quotedPresetNames}`,
        },
      ],
      message: `Unknown guard policy preset '${value}' at ${location}; use one of ${quotedPresetNames} or a policy object.`,
    });
  }
  if (!isRecord(value)) {
    throw invalidPolicy(source, [
      {
        path: 'policy',
        message: `expected a preset name (${presetNames.join(', ')}) or a policy object but found ${JSON.stringify(value)}; write one of ${quotedPresetNames} in double quotes, or a policy object in braces`,
      },
    ]);
  }
  let candidate: Record<string, unknown> = value;
  if ('extends' in value) {
    const { extends: base, ...rest } = value;
    const preset = typeof base === 'string' ? guardPolicyPresets[base as GuardPolicyPresetName] : undefined;
    if (!preset) {
      throw invalidPolicy(source, [
        {
          path: 'policy.extends',
          message: `${JSON.stringify(base)} is not a preset; use one of ${quotedPresetNames}, or remove extends to write the whole policy`,
        },
      ]);
    }
    candidate = mergePolicies(preset as Record<string, unknown>, rest);
  }
  const parsed = GuardPolicySchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  throw invalidPolicy(
    source,
    formatConfigIssues({ error: parsed.error, input: candidate, prefix: 'policy' }),
  );
}

function invalidPolicy(source: string | undefined, issues: ConfigIssue[]): ConfigError {
  return policyError({
    source,
    issues,
    message: `The guard policy${source ? ` in ${source}` : ''} is invalid: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}.`,
  });
}

function policyError(options: {
  source: string | undefined;
  issues: ConfigIssue[];
  message: string;
}): ConfigError {
  return new ConfigError({
    code: 'policy_invalid',
    source: options.source ?? 'policy',
    issues: options.issues,
    message: options.message,
    hint: presetHint,
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
