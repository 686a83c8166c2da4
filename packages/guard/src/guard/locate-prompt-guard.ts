import { isAbsolute, resolve } from 'node:path';
import type { HerdConfig, PromptGuardConfig } from '@herd/core';
import {
  defaultModelCacheDirectory,
  findInstalledPromptGuard,
  type ModelManifest,
} from '../setup/model-cache.js';

/** Where Prompt Guard 2 comes from for a configuration, found without loading the model. */
export type PromptGuardLocation =
  /** `"promptGuard": false`. */
  | { kind: 'off'; reason: string }
  /** `roles.guard.promptGuard` is written; `modelPath` is absolute. */
  | { kind: 'configured'; reason: string; modelPath: string; config: PromptGuardConfig }
  /** Nothing is written and `herd guard setup` wired a model in the per-user cache. */
  | { kind: 'installed'; reason: string; modelPath: string; manifest: ModelManifest }
  /** Nothing is written and nothing is set up. */
  | { kind: 'missing'; reason: string }
  /** Nothing is written and the set-up model is damaged. */
  | { kind: 'broken'; reason: string };

/** Options for {@link locatePromptGuard}. */
export interface LocatePromptGuardOptions {
  config: HerdConfig;
  /** Directory a relative `modelPath` is resolved against. */
  baseDirectory: string;
  /** The model cache to search; defaults to the per-user cache; `false` never looks. */
  modelCacheDirectory?: string | false;
  /** Environment naming the per-user cache (`XDG_CACHE_HOME`, `HOME`); defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Finds Prompt Guard 2 for a configuration, in order: `"promptGuard": false` turns it off; a written
 * `roles.guard.promptGuard` is used as written; otherwise the model `herd guard setup` wired in the per-user cache.
 * Each answer carries one sentence saying where it came from, or what to run to set it up.
 */
export function locatePromptGuard(options: LocatePromptGuardOptions): PromptGuardLocation {
  const written = options.config.roles?.guard?.promptGuard;
  if (written === false) return { kind: 'off', reason: 'turned off by "promptGuard": false in roles.guard' };
  if (written) {
    const modelPath = isAbsolute(written.modelPath)
      ? written.modelPath
      : resolve(options.baseDirectory, written.modelPath);
    return {
      kind: 'configured',
      reason: `configured in roles.guard.promptGuard: ${modelPath}`,
      modelPath,
      config: written,
    };
  }
  const cacheDirectory =
    options.modelCacheDirectory === false
      ? undefined
      : (options.modelCacheDirectory ?? defaultModelCacheDirectory(options.env ?? process.env));
  const installed = findInstalledPromptGuard(cacheDirectory);
  if ('missing' in installed) {
    return {
      kind: 'missing',
      reason: `not set up (${installed.missing}); \`herd guard setup\` downloads Prompt Guard 2 and Herd finds it with no configuration`,
    };
  }
  if ('broken' in installed) {
    return {
      kind: 'broken',
      reason: `the model \`herd guard setup\` installed is damaged: ${installed.broken}; run \`herd guard setup\` again`,
    };
  }
  const { directory, manifest } = installed.found;
  return {
    kind: 'installed',
    reason: `set up by \`herd guard setup\`: ${manifest.name} (${manifest.repository} at ${manifest.revision.slice(0, 12)}, ${manifest.modelFile}) in ${directory}`,
    modelPath: directory,
    manifest,
  };
}
