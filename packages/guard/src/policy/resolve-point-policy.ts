import { type ScannerName, ScannerNameSchema } from '../scanners/scanner.js';
import type { GuardAction, GuardMode, GuardPolicy, ScannerRule, ScanPoint } from './guard-policy.js';

/** A scanner rule with its defaults filled in. */
export interface ResolvedScannerRule {
  /** Which scanner. */
  scanner: ScannerName;
  /** A finding scoring at least this is a hit. */
  threshold: number;
  /** What a hit does (in `ci`, `ask` has already become `block`). */
  action: GuardAction;
}

/** What the policy says for one scan point in one mode. */
export interface ResolvedPointPolicy {
  /** The scan point. */
  point: ScanPoint;
  /** The mode. */
  mode: GuardMode;
  /** Enabled scanners, local ones first. */
  rules: ResolvedScannerRule[];
  /** Action when a scanner fails. */
  onError: GuardAction;
}

// Cheap local scanners first, classifiers last: the order ScannerNameSchema lists them in.
const scannerOrder: readonly ScannerName[] = ScannerNameSchema.options;

/**
 * Resolves the policy for a point and mode: the mode's scanner rules replace the point's, thresholds get their
 * defaults (0.9 for Prompt Guard as in LlamaFirewall, 0.5 otherwise), errors fail closed (`block` in `ci`, `ask`
 * interactively) unless configured, and in `ci`, where nobody can answer, `ask` becomes `block`.
 */
export function resolvePointPolicy(options: {
  policy: GuardPolicy;
  point: ScanPoint;
  mode: GuardMode;
}): ResolvedPointPolicy {
  const { policy, point, mode } = options;
  const pointPolicy = policy.points[point];
  const override = pointPolicy?.modes?.[mode];
  const scanners = { ...(pointPolicy?.scanners ?? {}), ...(override?.scanners ?? {}) } as Partial<
    Record<ScannerName, ScannerRule>
  >;
  const settle = (action: GuardAction): GuardAction => (mode === 'ci' && action === 'ask' ? 'block' : action);
  const rules: ResolvedScannerRule[] = [];
  for (const scanner of scannerOrder) {
    const rule = scanners[scanner];
    if (!rule || rule.enabled === false) continue;
    rules.push({
      scanner,
      threshold: rule.threshold ?? (scanner === 'prompt_guard' ? 0.9 : 0.5),
      action: settle(rule.action),
    });
  }
  const onError = override?.onError ?? pointPolicy?.onError ?? (mode === 'ci' ? 'block' : 'ask');
  return { point, mode, rules, onError: settle(onError) };
}

const severity: Record<GuardAction, number> = { allow: 0, warn: 1, redact: 2, ask: 3, block: 4 };

/** The stronger of two actions: allow < warn < redact < ask < block. */
export function strongerAction(left: GuardAction, right: GuardAction): GuardAction {
  return severity[right] > severity[left] ? right : left;
}
