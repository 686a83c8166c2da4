import { randomUUID } from 'node:crypto';
import { ConfigError, HerdError, SystemError } from '@herd/core';
import type { AuditLog } from '../audit/audit-log.js';
import { makeExcerpt } from '../audit/make-excerpt.js';
import { createScanCache, type ScanCache, scanCacheKey, sha256Hex } from '../cache/scan-cache.js';
import { type GuardMode, type GuardPolicy, GuardPolicySchema } from '../policy/guard-policy.js';
import { parseGuardPolicy } from '../policy/parse-guard-policy.js';
import {
  type ResolvedPointPolicy,
  resolvePointPolicy,
  strongerAction,
} from '../policy/resolve-point-policy.js';
import { createSecretsRedactor } from '../scanners/create-secrets-redactor.js';
import { createHiddenTextScanner } from '../scanners/hidden-text-scanner.js';
import { createPatternScanner } from '../scanners/pattern-scanner.js';
import {
  type Scanner,
  type ScannerFinding,
  type ScannerName,
  ScannerNameSchema,
  type ScanSubject,
  type TextSpan,
} from '../scanners/scanner.js';
import { createSecretsScanner } from '../scanners/secrets-scanner.js';
import type { GuardScanRequest, GuardVerdict, ScannerResult, SkippedScanner } from './guard-verdict.js';
import { redactText } from './redact-text.js';

/** Options for {@link createGuard}. */
export interface CreateGuardOptions {
  /** A parsed policy, a preset name, or a policy object as in `HerdConfig.policy`; defaults to `balanced`. */
  policy?: unknown;
  /** Default mode of every scan; defaults to `act`. */
  mode?: GuardMode;
  /** The Prompt Guard scanner ({@link createPromptGuardScanner}); omitted means it is skipped (or, if required, an error). */
  promptGuard?: Scanner;
  /** The Llama Guard scanner ({@link createLlamaGuardScanner}); omitted likewise. */
  llamaGuard?: Scanner;
  /** Where each decision is appended; omitted means no audit log. */
  auditLog?: AuditLog;
  /** Finding cache; defaults to a memory-only cache. Pass {@link createScanCache} with a directory to persist. */
  cache?: ScanCache;
  /** Environment searched for secret values by the secrets scanner; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Judges content under one policy. Built once per run; cheap to call. */
export interface Guard {
  /** The parsed policy. */
  policy: GuardPolicy;
  /** Default mode. */
  mode: GuardMode;
  /** Which classifiers are configured. */
  classifiers: { promptGuard: boolean; llamaGuard: boolean };
  /** Scans one piece of content. */
  scan(request: GuardScanRequest): Promise<GuardVerdict>;
  /** Scans many at once: each scanner runs once over all of them (Prompt Guard batches their windows together). */
  scanMany(requests: readonly GuardScanRequest[]): Promise<GuardVerdict[]>;
}

// Cheap local scanners first, classifiers last: the order ScannerNameSchema lists them in.
const scannerOrder: readonly ScannerName[] = ScannerNameSchema.options;

interface RequestState {
  request: GuardScanRequest;
  policy: ResolvedPointPolicy;
  contentSha256: string;
  results: ScannerResult[];
  skipped: SkippedScanner[];
  redactions: TextSpan[];
  secretSpans: TextSpan[];
  findingSpans: TextSpan[];
  redactWhole: ScannerName | undefined;
}

/**
 * Builds the guard: the policy, the cheap local scanners (hidden text, secrets, patterns), the configured
 * classifiers, the audit log and the cache. Local scanners always run first; a classifier is not called for content
 * a local scanner already blocked. A scanner that throws or times out gets the point's `onError` action (fail-closed
 * by default: `block` in `ci`, `ask` interactively); where that action is `block`, a failed classifier rejects the
 * scan with its own error instead (a provider error, not a verdict about the content).
 *
 * @throws ConfigError `policy_invalid` for a bad policy, `guard_classifier_required` when the policy requires a
 *   classifier that is not configured.
 * @example
 * const guard = createGuard({ policy: 'balanced', mode: 'act', promptGuard: createPromptGuardScanner(classifier) });
 * const verdict = await guard.scan({ point: 'tool_output', text: output, source: 'read_file' });
 * if (verdict.action === 'block') throw new GuardError({ code: 'guard_blocked', message: verdict.reason });
 */
export function createGuard(options: CreateGuardOptions = {}): Guard {
  const policy = isParsedPolicy(options.policy) ? options.policy : parseGuardPolicy(options.policy);
  const mode = options.mode ?? 'act';
  for (const required of policy.require) {
    const configured = required === 'prompt_guard' ? options.promptGuard : options.llamaGuard;
    if (!configured) {
      const role = required === 'prompt_guard' ? 'roles.guard.promptGuard' : 'roles.guard.llamaGuard';
      throw new ConfigError({
        code: 'guard_classifier_required',
        source: 'policy',
        message: `The guard policy '${policy.name}' requires ${required} but ${role} is not configured; configure it or choose a policy that does not require it.`,
      });
    }
  }
  const scanners: Partial<Record<ScannerName, Scanner>> = {
    hidden_text: createHiddenTextScanner(),
    secrets: createSecretsScanner(options.env ? { env: options.env } : {}),
    patterns: createPatternScanner({ rules: policy.patterns }),
    ...(options.promptGuard ? { prompt_guard: options.promptGuard } : {}),
    ...(options.llamaGuard ? { llama_guard: options.llamaGuard } : {}),
  };
  const cache = options.cache ?? createScanCache();
  // Excerpts lose every secret the product's detector finds and the values of secret environment variables, even
  // where the secrets scanner did not run.
  const excerptRedactor = createSecretsRedactor({ env: options.env ?? process.env });

  async function runScanner(name: ScannerName, states: RequestState[]): Promise<void> {
    const isClassifier = name === 'prompt_guard' || name === 'llama_guard';
    const due = states.filter((state) => state.policy.rules.some((rule) => rule.scanner === name));
    const scanner = scanners[name];
    const runnable: RequestState[] = [];
    for (const state of due) {
      if (!scanner) state.skipped.push({ scanner: name, reason: 'not_configured' });
      else if (isClassifier && state.results.some((result) => result.action === 'block')) {
        state.skipped.push({ scanner: name, reason: 'already_blocked' });
      } else runnable.push(state);
    }
    if (!scanner || runnable.length === 0) return;
    const subjects: ScanSubject[] = runnable.map(({ request }) => ({
      text: request.text,
      ...(request.point === 'model_output' && request.userTurn !== undefined
        ? { userTurn: request.userTurn }
        : {}),
      ...(request.images && request.images.length > 0 ? { images: request.images } : {}),
    }));
    const keys = subjects.map((subject) => scanCacheKey({ fingerprint: scanner.fingerprint, ...subject }));
    const cached = await Promise.all(keys.map((key) => cache.get(key)));
    const missing = runnable.map((_, index) => index).filter((index) => !cached[index]);
    const started = performance.now();
    let fresh: ScannerFinding[] = [];
    let failure: { code: string; message: string } | undefined;
    if (missing.length > 0) {
      try {
        // A reason may quote what was scanned (the hidden text scanner spells out invisible text): it is redacted
        // before it is cached on disk or shown.
        fresh = (await scanner.scan(missing.map((index) => subjects[index] as ScanSubject))).map((finding) =>
          finding.reason ? { ...finding, reason: excerptRedactor.redact(finding.reason) } : finding,
        );
        await Promise.all(
          missing.map((index, position) =>
            cache.set(keys[index] as string, fresh[position] as ScannerFinding),
          ),
        );
      } catch (error) {
        // A classifier that cannot answer where the policy fails closed stops the scan with its own error (a
        // provider error, exit 3 in CI): calling that a block would tell the person to rephrase content nobody read.
        if (isClassifier && runnable.some((state) => state.policy.onError === 'block')) {
          throw classifierFailure(name, error);
        }
        failure = {
          code: HerdError.isInstance(error) ? error.code : 'scanner_failed',
          message: error instanceof Error ? error.message : String(error),
        };
      }
    }
    const sharedLatency = missing.length > 0 ? (performance.now() - started) / missing.length : 0;
    runnable.forEach((state, index) => {
      const rule = state.policy.rules.find((candidate) => candidate.scanner === name);
      if (!rule) return;
      const position = missing.indexOf(index);
      const finding = position < 0 ? cached[index] : fresh[position];
      if (!finding) {
        state.results.push({
          scanner: name,
          action: state.policy.onError,
          score: null,
          categories: [`error:${failure?.code ?? 'scanner_failed'}`],
          reason: `${name} failed (${failure?.message ?? 'no finding'}); the policy's onError action applies.`,
          ...(failure ? { error: failure } : {}),
          cached: false,
          latencyMs: sharedLatency,
        });
        return;
      }
      const categories =
        name === 'llama_guard'
          ? finding.categories.filter(
              (code) =>
                !policy.excludedCategories.some(
                  (excluded) => code === excluded || code.startsWith(`${excluded} `),
                ),
            )
          : finding.categories;
      const counted =
        name === 'llama_guard' &&
        finding.score > 0 &&
        categories.length === 0 &&
        finding.categories.length > 0
          ? 0
          : finding.score;
      const hit = counted >= rule.threshold && counted > 0;
      state.results.push({
        scanner: name,
        action: hit ? rule.action : 'allow',
        score: counted,
        categories,
        ...(finding.reason ? { reason: finding.reason } : {}),
        cached: position < 0,
        latencyMs: position < 0 ? 0 : sharedLatency,
      });
      if (name === 'secrets') state.secretSpans.push(...finding.spans);
      if (hit) state.findingSpans.push(...finding.spans);
      if (hit && rule.action === 'redact') {
        if (finding.spans.length > 0) state.redactions.push(...finding.spans);
        else state.redactWhole ??= name;
      }
    });
  }

  function finish(state: RequestState): GuardVerdict {
    const { request, policy: pointPolicy } = state;
    state.results.sort(
      (left, right) => scannerOrder.indexOf(left.scanner) - scannerOrder.indexOf(right.scanner),
    );
    const action = state.results.reduce(
      (strongest, result) => strongerAction(strongest, result.action),
      'allow' as GuardVerdict['action'],
    );
    let text = request.text;
    if (state.redactWhole) text = `[redacted by guard: ${state.redactWhole}]`;
    else if (state.redactions.length > 0) text = redactText(request.text, state.redactions);
    const verdict: GuardVerdict = {
      point: request.point,
      mode: pointPolicy.mode,
      action,
      text,
      redacted: text !== request.text,
      redactions: state.redactWhole
        ? [{ start: 0, end: request.text.length, label: state.redactWhole }]
        : text !== request.text
          ? state.redactions
          : [],
      contentSha256: state.contentSha256,
      results: state.results,
      skipped: state.skipped,
      reason: summarize(state.results, action),
    };
    if (options.auditLog) {
      const excerpt = excerptRedactor.redact(
        makeExcerpt({
          text: request.text,
          spans: state.findingSpans,
          hide: state.secretSpans,
          findSecrets: (text) => excerptRedactor.find(text),
        }),
      );
      for (const result of state.results) {
        options.auditLog.append({
          id: randomUUID(),
          time: new Date().toISOString(),
          point: request.point,
          mode: pointPolicy.mode,
          scanner: result.scanner,
          score: result.score,
          categories: result.categories,
          action: result.action,
          latencyMs: Math.round(result.latencyMs * 1000) / 1000,
          contentSha256: state.contentSha256,
          excerpt,
          cached: result.cached,
          // A file's name can hold what its content would be redacted for (`keys/ghp_….txt`).
          ...(request.source ? { source: excerptRedactor.redact(request.source) } : {}),
        });
      }
    }
    return verdict;
  }

  async function scanMany(requests: readonly GuardScanRequest[]): Promise<GuardVerdict[]> {
    const states: RequestState[] = requests.map((request) => ({
      request,
      policy: resolvePointPolicy({ policy, point: request.point, mode: request.mode ?? mode }),
      contentSha256: sha256Hex(request.text),
      results: [],
      skipped: [],
      redactions: [],
      secretSpans: [],
      findingSpans: [],
      redactWhole: undefined,
    }));
    await Promise.all(
      (['hidden_text', 'secrets', 'patterns'] as const).map((name) => runScanner(name, states)),
    );
    await Promise.all((['prompt_guard', 'llama_guard'] as const).map((name) => runScanner(name, states)));
    return states.map(finish);
  }

  return {
    policy,
    mode,
    classifiers: { promptGuard: Boolean(options.promptGuard), llamaGuard: Boolean(options.llamaGuard) },
    scan: async (request) => (await scanMany([request]))[0] as GuardVerdict,
    scanMany,
  };
}

/** The error a failed classifier stops a fail-closed scan with: its own Herd error, or a system error naming it. */
function classifierFailure(name: ScannerName, error: unknown): HerdError {
  const found = HerdError.find(error);
  if (found && found.blame !== 'guard') return found;
  return new SystemError({
    code: 'guard_classifier_failed',
    message: `The ${name} classifier failed (${error instanceof Error ? error.message : String(error)}); nothing it should have checked ran unchecked. Check its model or provider.`,
    cause: error,
  });
}

function summarize(results: readonly ScannerResult[], action: GuardVerdict['action']): string {
  const hits = results.filter((result) => result.action !== 'allow');
  if (hits.length === 0)
    return results.length === 0 ? 'Nothing to scan at this point.' : 'No scanner found anything.';
  const parts = hits.map((result) => {
    const what = result.error
      ? `failed (${result.error.code})`
      : result.categories.length > 0
        ? `found ${result.categories.join(', ')}`
        : `scored ${result.score?.toFixed(3)}`;
    return `${result.scanner} ${what} → ${result.action}`;
  });
  return `Guard verdict ${action}: ${parts.join('; ')}.`;
}

function isParsedPolicy(value: unknown): value is GuardPolicy {
  return (
    typeof value === 'object' &&
    value !== null &&
    !('extends' in value) &&
    GuardPolicySchema.safeParse(value).success &&
    'blockOutcome' in value &&
    'require' in value
  );
}
