import { join, resolve } from 'node:path';
import {
  ConfigError,
  type GuardClassifierCoverage,
  type HerdConfig,
  type LlamaGuardResolution,
  localCacheSecret,
  type PromptGuardConfig,
  resolveLlamaGuard,
} from '@herd/core';
import { createChatModelChain } from '@herd/core/models';
import { createAuditLog } from '../audit/audit-log.js';
import { createScanCache } from '../cache/scan-cache.js';
import { createLlamaGuardClassifier, type LlamaGuardCall } from '../llama-guard/llama-guard-classifier.js';
import { createLlamaGuardScanner } from '../llama-guard/llama-guard-scanner.js';
import type { GuardMode, GuardPolicy } from '../policy/guard-policy.js';
import { parseGuardPolicy } from '../policy/parse-guard-policy.js';
import type { PromptGuardScorer } from '../prompt-guard/prompt-guard-classifier.js';
import { createPromptGuardScanner } from '../prompt-guard/prompt-guard-scanner.js';
import { createPromptGuardWorkers } from '../prompt-guard/prompt-guard-workers.js';
import type { Scanner } from '../scanners/scanner.js';
import { createGuard, type Guard } from './create-guard.js';
import { locatePromptGuard } from './locate-prompt-guard.js';

/** Options for {@link createGuardFromConfig}. */
export interface CreateGuardFromConfigOptions {
  /** The parsed `herd.config.json`. */
  config: HerdConfig;
  /** Directory relative paths are resolved against (the config file's folder). */
  baseDirectory: string;
  /** Default mode of every scan. */
  mode: GuardMode;
  /** Overrides `config.policy` (a preset name or a policy object). */
  policy?: unknown;
  /** Audit log file; defaults to `<baseDirectory>/.herd/guard/audit.jsonl`; `false` turns it off. */
  auditLogPath?: string | false;
  /** On-disk finding cache; defaults to `<baseDirectory>/.herd/cache/guard`; `false` keeps it in memory only. */
  cacheDirectory?: string | false;
  /**
   * Where `herd guard setup` installs models, searched for Prompt Guard when `roles.guard.promptGuard` is not
   * written; defaults to the per-user cache ({@link defaultModelCacheDirectory}); `false` never looks.
   */
  modelCacheDirectory?: string | false;
  /** Environment (API keys, secrets to look for, the cache location); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Told about every Llama Guard provider call, so a run can meter it like any model call. */
  onModelCall?: (call: LlamaGuardCall) => void;
  /** Classifiers that must run, on top of the policy's `require` (`herd ci --require-guard` names both). */
  requireClassifiers?: readonly GuardClassifierCoverage['name'][];
}

/** A guard built from configuration, and what it covers. */
export interface ConfiguredGuard {
  /** The guard. */
  guard: Guard;
  /** Each classifier: `on`, `skipped` (with what would turn it on) or `failed` (a set-up model that did not load). */
  classifiers: GuardClassifierCoverage[];
  /** Classifiers that do not run, with the setting that would enable each. */
  skippedClassifiers: Array<{ scanner: 'prompt_guard' | 'llama_guard'; setting: string }>;
  /** The audit log file, when there is one. */
  auditLogPath: string | undefined;
  /** Stops the Prompt Guard worker threads. */
  close(): Promise<void>;
}

/** Where the audit log lives by default, relative to the project. */
export const defaultAuditLogPath = join('.herd', 'guard', 'audit.jsonl');

/**
 * Builds the guard a run uses from `herd.config.json`: the policy (`config.policy`, default `balanced`), Prompt
 * Guard 2 from `roles.guard.promptGuard` or else the model `herd guard setup` wired in the per-user cache (loaded
 * once), Llama Guard 4 from `roles.guard.llamaGuard` or else the provider's own Llama Guard model (see
 * `resolveLlamaGuard`), the audit log and the on-disk cache. `false` turns either classifier off. Every classifier
 * that does not run is listed with the reason, and a policy that requires it refuses to start.
 *
 * @throws ConfigError for an invalid policy, a required classifier that does not run (naming how to turn it on),
 *   or a configured Prompt Guard directory that is missing or mismatched.
 */
export async function createGuardFromConfig(options: CreateGuardFromConfigOptions): Promise<ConfiguredGuard> {
  const { config, baseDirectory, mode } = options;
  const env = options.env ?? process.env;
  const policy = parseGuardPolicy(options.policy ?? config.policy);
  const llamaGuardResolution = resolveLlamaGuard({ config, env });
  const prompt = await openPromptGuard({ ...options, env });
  try {
    const llamaGuard = llamaGuardScanner({ resolution: llamaGuardResolution, env, options });
    const classifiers: GuardClassifierCoverage[] = [
      prompt.coverage,
      {
        name: 'llama_guard',
        state: llamaGuard ? 'on' : 'skipped',
        reason: llamaGuardResolution.reason,
      },
    ];
    assertRequired(policy, classifiers, options.requireClassifiers ?? []);
    const auditLogPath =
      options.auditLogPath === false
        ? undefined
        : resolve(baseDirectory, options.auditLogPath ?? defaultAuditLogPath);
    const cacheDirectory =
      options.cacheDirectory === false
        ? undefined
        : resolve(baseDirectory, options.cacheDirectory ?? join('.herd', 'cache', 'guard'));
    const guard = createGuard({
      policy,
      mode,
      ...(prompt.scanner ? { promptGuard: prompt.scanner } : {}),
      ...(llamaGuard ? { llamaGuard } : {}),
      ...(auditLogPath ? { auditLog: createAuditLog({ path: auditLogPath }) } : {}),
      cache: createScanCache(
        cacheDirectory ? { directory: cacheDirectory, secret: localCacheSecret(env) } : {},
      ),
      env,
    });
    return {
      guard,
      classifiers,
      skippedClassifiers: classifiers
        .filter((classifier) => classifier.state !== 'on')
        .map((classifier) => ({
          scanner: classifier.name,
          setting: classifier.name === 'prompt_guard' ? 'roles.guard.promptGuard' : 'roles.guard.llamaGuard',
        })),
      auditLogPath,
      close: async () => prompt.classifier?.close(),
    };
  } catch (error) {
    await prompt.classifier?.close();
    throw error;
  }
}

/** How to turn each classifier on, for the error a policy that requires it gives. */
const turnOn: Record<GuardClassifierCoverage['name'], string> = {
  prompt_guard:
    'run `herd guard setup` (downloads Prompt Guard 2 into the per-user cache, where Herd finds it) or set roles.guard.promptGuard.modelPath',
  llama_guard:
    'export the key of a host that serves Llama Guard 4 (TOGETHER_API_KEY, OPENROUTER_API_KEY or LLAMA_API_KEY) or set roles.guard.llamaGuard',
};

function assertRequired(
  policy: GuardPolicy,
  classifiers: readonly GuardClassifierCoverage[],
  alsoRequired: readonly GuardClassifierCoverage['name'][],
): void {
  const missing = classifiers.filter(
    (classifier) =>
      classifier.state !== 'on' &&
      (policy.require.includes(classifier.name) || alsoRequired.includes(classifier.name)),
  );
  if (missing.length === 0) return;
  const who = missing.every((classifier) => policy.require.includes(classifier.name))
    ? `The guard policy '${policy.name}'`
    : 'This run';
  throw new ConfigError({
    code: 'guard_classifier_required',
    source: 'policy',
    message: `${who} requires ${missing.map((classifier) => classifier.name).join(' and ')}, which ${missing.length > 1 ? 'do' : 'does'} not run: ${missing.map((classifier) => `${classifier.name} ${classifier.state} (${classifier.reason})`).join('; ')}. To turn ${missing.length > 1 ? 'them' : 'it'} on: ${missing.map((classifier) => turnOn[classifier.name]).join('; ')}.`,
  });
}

interface OpenedPromptGuard {
  coverage: GuardClassifierCoverage;
  classifier: PromptGuardScorer | undefined;
  scanner: Scanner | undefined;
}

/** Prompt Guard from the configuration, else from the per-user cache; `false` or nothing found skips it. */
async function openPromptGuard(
  options: CreateGuardFromConfigOptions & { env: NodeJS.ProcessEnv },
): Promise<OpenedPromptGuard> {
  const location = locatePromptGuard(options);
  const without = (state: 'skipped' | 'failed', reason: string): OpenedPromptGuard => ({
    coverage: { name: 'prompt_guard', state, reason },
    classifier: undefined,
    scanner: undefined,
  });
  if (location.kind === 'off' || location.kind === 'missing') return without('skipped', location.reason);
  if (location.kind === 'broken') return without('failed', location.reason);
  const on = (classifier: PromptGuardScorer): OpenedPromptGuard => ({
    coverage: { name: 'prompt_guard', state: 'on', reason: location.reason },
    classifier,
    scanner: createPromptGuardScanner(classifier),
  });
  // Prompt Guard runs on worker threads (one session each, sized to the cores), beside the packer and the agents.
  // A configured model that does not load is a configuration error: the person asked for it.
  if (location.kind === 'configured')
    return on(await createPromptGuardWorkers(classifierOptions(location.modelPath, location.config)));
  try {
    return on(
      await createPromptGuardWorkers({
        modelPath: location.modelPath,
        modelFile: location.manifest.modelFile,
      }),
    );
  } catch (error) {
    return without(
      'failed',
      `the model in ${location.modelPath} did not load (${error instanceof Error ? error.message : String(error)}); run \`herd guard setup\` again`,
    );
  }
}

function classifierOptions(modelPath: string, written: PromptGuardConfig) {
  return {
    modelPath,
    ...(written.modelFile ? { modelFile: written.modelFile } : {}),
    ...(written.threads ? { threads: written.threads } : {}),
    ...(written.workers ? { workers: written.workers } : {}),
    ...(written.overlapTokens !== undefined ? { overlapTokens: written.overlapTokens } : {}),
    ...(written.batchTokens !== undefined ? { batchTokens: written.batchTokens } : {}),
    ...(written.compactWhitespace !== undefined ? { compactWhitespace: written.compactWhitespace } : {}),
  };
}

/** The Llama Guard scanner for the resolved role: chat completions (with fallbacks) or Meta's moderations API. */
function llamaGuardScanner(input: {
  resolution: LlamaGuardResolution;
  env: NodeJS.ProcessEnv;
  options: CreateGuardFromConfigOptions;
}): Scanner | undefined {
  const { resolution, env, options } = input;
  const role = resolution.role;
  if (!role) return undefined;
  const label = `${role.provider}/${role.model}`;
  const onCall = options.onModelCall;
  const classifier =
    resolution.api === 'moderations'
      ? createLlamaGuardClassifier({
          moderations: {
            url: role.moderationsUrl ?? `${role.baseUrl.replace(/\/$/, '')}/moderations`,
            apiKeyEnv: role.apiKeyEnv,
            model: role.model,
          },
          endpoints: [{ provider: role.provider, model: role.model }],
          timeoutMs: role.timeoutMs,
          label,
          env,
          ...(onCall ? { onCall } : {}),
        })
      : (() => {
          const [primary, ...fallbacks] = createChatModelChain({ role, env });
          return createLlamaGuardClassifier({
            chatModel: primary,
            fallbackModels: fallbacks,
            endpoints: [role, ...role.fallbacks].map(({ provider, model }) => ({ provider, model })),
            timeoutMs: role.timeoutMs,
            label,
            ...(onCall ? { onCall } : {}),
          });
        })();
  return createLlamaGuardScanner(classifier);
}
