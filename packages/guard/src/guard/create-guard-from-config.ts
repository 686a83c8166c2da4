import { isAbsolute, join, resolve } from 'node:path';
import { type HerdConfig, resolveModelRole } from '@herd/core';
import { createChatModel } from '@herd/core/models';
import { createAuditLog } from '../audit/audit-log.js';
import { createScanCache } from '../cache/scan-cache.js';
import { createLlamaGuardClassifier } from '../llama-guard/llama-guard-classifier.js';
import { createLlamaGuardScanner } from '../llama-guard/llama-guard-scanner.js';
import type { GuardMode } from '../policy/guard-policy.js';
import { parseGuardPolicy } from '../policy/parse-guard-policy.js';
import {
  createPromptGuardClassifier,
  type PromptGuardClassifier,
} from '../prompt-guard/prompt-guard-classifier.js';
import { createPromptGuardScanner } from '../prompt-guard/prompt-guard-scanner.js';
import type { Scanner } from '../scanners/scanner.js';
import { createGuard, type Guard } from './create-guard.js';

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
  /** Environment (API keys, secrets to look for); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** A guard built from configuration, and what it could not use. */
export interface ConfiguredGuard {
  /** The guard. */
  guard: Guard;
  /** Classifiers that are not configured and therefore skipped, with the setting that would enable each. */
  skippedClassifiers: Array<{ scanner: 'prompt_guard' | 'llama_guard'; setting: string }>;
  /** The audit log file, when there is one. */
  auditLogPath: string | undefined;
  /** Releases the Prompt Guard session. */
  close(): Promise<void>;
}

/** Where the audit log lives by default, relative to the project. */
export const defaultAuditLogPath = join('.herd', 'guard', 'audit.jsonl');

/**
 * Builds the guard a run uses from `herd.config.json`: the policy (`config.policy`, default `balanced`), Prompt
 * Guard 2 from `roles.guard.promptGuard` (loaded once), Llama Guard 4 from `roles.guard.llamaGuard` (chat
 * completions, or `api: 'moderations'`), the audit log and the on-disk cache. Unconfigured classifiers are skipped
 * and listed, unless the policy requires them.
 *
 * @throws ConfigError for an invalid policy, a required classifier that is not configured, or a Prompt Guard
 *   directory that is missing or mismatched.
 */
export async function createGuardFromConfig(options: CreateGuardFromConfigOptions): Promise<ConfiguredGuard> {
  const { config, baseDirectory, mode } = options;
  const env = options.env ?? process.env;
  const policy = parseGuardPolicy(options.policy ?? config.policy);
  const skippedClassifiers: ConfiguredGuard['skippedClassifiers'] = [];
  let classifier: PromptGuardClassifier | undefined;
  let promptGuard: Scanner | undefined;
  const promptGuardConfig = config.roles?.guard?.promptGuard;
  if (promptGuardConfig) {
    classifier = await createPromptGuardClassifier({
      modelPath: isAbsolute(promptGuardConfig.modelPath)
        ? promptGuardConfig.modelPath
        : resolve(baseDirectory, promptGuardConfig.modelPath),
      ...(promptGuardConfig.modelFile ? { modelFile: promptGuardConfig.modelFile } : {}),
      ...(promptGuardConfig.threads ? { threads: promptGuardConfig.threads } : {}),
      ...(promptGuardConfig.overlapTokens !== undefined
        ? { overlapTokens: promptGuardConfig.overlapTokens }
        : {}),
      ...(promptGuardConfig.batchTokens !== undefined ? { batchTokens: promptGuardConfig.batchTokens } : {}),
      ...(promptGuardConfig.compactWhitespace !== undefined
        ? { compactWhitespace: promptGuardConfig.compactWhitespace }
        : {}),
    });
    promptGuard = createPromptGuardScanner(classifier);
  } else {
    skippedClassifiers.push({ scanner: 'prompt_guard', setting: 'roles.guard.promptGuard' });
  }
  let llamaGuard: Scanner | undefined;
  const llamaGuardConfig = config.roles?.guard?.llamaGuard;
  if (llamaGuardConfig) {
    const role = resolveModelRole({ config, role: 'llamaGuard', env });
    const label = `${role.provider}/${role.model}`;
    const classify =
      llamaGuardConfig.api === 'moderations'
        ? createLlamaGuardClassifier({
            moderations: {
              url: role.moderationsUrl ?? `${role.baseUrl.replace(/\/$/, '')}/moderations`,
              apiKeyEnv: role.apiKeyEnv,
              model: role.model,
            },
            timeoutMs: role.timeoutMs,
            label,
            env,
          })
        : createLlamaGuardClassifier({
            chatModel: createChatModel({ role, env }),
            timeoutMs: role.timeoutMs,
            label,
          });
    llamaGuard = createLlamaGuardScanner(classify);
  } else {
    skippedClassifiers.push({ scanner: 'llama_guard', setting: 'roles.guard.llamaGuard' });
  }
  const auditLogPath =
    options.auditLogPath === false
      ? undefined
      : resolve(baseDirectory, options.auditLogPath ?? defaultAuditLogPath);
  const cacheDirectory =
    options.cacheDirectory === false
      ? undefined
      : resolve(baseDirectory, options.cacheDirectory ?? join('.herd', 'cache', 'guard'));
  try {
    const guard = createGuard({
      policy,
      mode,
      ...(promptGuard ? { promptGuard } : {}),
      ...(llamaGuard ? { llamaGuard } : {}),
      ...(auditLogPath ? { auditLog: createAuditLog({ path: auditLogPath }) } : {}),
      cache: createScanCache(cacheDirectory ? { directory: cacheDirectory } : {}),
      env,
    });
    return { guard, skippedClassifiers, auditLogPath, close: async () => classifier?.close() };
  } catch (error) {
    await classifier?.close();
    throw error;
  }
}
