import type { ConfigWeakening } from '@herd/core';
import { type GuardMode, GuardModeSchema, type GuardPolicy, scanPoints } from './guard-policy.js';
import { parseGuardPolicy } from './parse-guard-policy.js';
import { type ResolvedPointPolicy, resolvePointPolicy, strongerAction } from './resolve-point-policy.js';

const modes: readonly GuardMode[] = GuardModeSchema.options;

/** The rule for one scanner in a resolved point policy, if it runs there. */
const ruleOf = (resolved: ResolvedPointPolicy, scanner: string) =>
  resolved.rules.find((rule) => rule.scanner === scanner);

/**
 * What a configured guard policy weakens against the default, `balanced`, for the configuration trust check: in
 * any mode, at any scan point, a scanner `balanced` runs that no longer runs, acts more weakly (allow < warn <
 * redact < ask < block) or needs a higher score to count as a hit; a weaker action when a scanner fails; Llama
 * Guard categories excluded; default patterns dropped. `strict`, and anything at least as strict, weakens nothing.
 *
 * @param value the raw `policy` setting (validated by {@link parseGuardPolicy}); `undefined` is `balanced`.
 */
export function guardPolicyWeakenings(value: unknown): ConfigWeakening[] {
  if (value === 'off') return [{ path: 'policy', what: 'switches the guard off: nothing is scanned' }];
  const policy = parseGuardPolicy(value);
  const baseline = parseGuardPolicy(undefined);
  // Path → what → the modes it holds in, so one finding in every mode is said once.
  const found = new Map<string, Map<string, GuardMode[]>>();
  const note = (path: string, what: string, mode: GuardMode) => {
    const notes = found.get(path) ?? new Map<string, GuardMode[]>();
    notes.set(what, [...(notes.get(what) ?? []), mode]);
    found.set(path, notes);
  };
  for (const point of scanPoints) {
    for (const mode of modes) {
      const base = resolvePointPolicy({ policy: baseline, point, mode });
      const configured = resolvePointPolicy({ policy, point, mode });
      for (const expected of base.rules) {
        const path = `policy.points.${point}.scanners.${expected.scanner}`;
        const actual = ruleOf(configured, expected.scanner);
        if (!actual) {
          note(path, `does not run ${expected.scanner}`, mode);
          continue;
        }
        if (strongerAction(actual.action, expected.action) !== actual.action) {
          note(path, `${actual.action} instead of ${expected.action}`, mode);
        }
        if (actual.threshold > expected.threshold) {
          note(path, `counts a hit from ${actual.threshold} instead of ${expected.threshold}`, mode);
        }
      }
      if (strongerAction(configured.onError, base.onError) !== configured.onError) {
        note(`policy.points.${point}.onError`, `${configured.onError} when a scanner fails`, mode);
      }
    }
  }
  const weakenings = [...found].map(([path, notes]) => ({
    path,
    what: [...notes]
      .map(([what, where]) =>
        where.length === modes.length ? what : `${what} (${where.join(' and ')} mode)`,
      )
      .join('; '),
  }));
  if (policy.excludedCategories.length > 0) {
    weakenings.push({
      path: 'policy.excludedCategories',
      what: `Llama Guard never counts ${policy.excludedCategories.join(', ')} as a hit`,
    });
  }
  const dropped = droppedPatterns(policy, baseline);
  if (dropped.length > 0) {
    weakenings.push({ path: 'policy.patterns', what: `drops the default patterns ${dropped.join(', ')}` });
  }
  return weakenings;
}

/** Names of the default pattern rules the policy no longer has (same name and pattern). */
function droppedPatterns(policy: GuardPolicy, baseline: GuardPolicy): string[] {
  return baseline.patterns
    .filter(
      (rule) =>
        !policy.patterns.some(
          (kept) => kept.name === rule.name && kept.pattern === rule.pattern && kept.flags === rule.flags,
        ),
    )
    .map((rule) => rule.name);
}
