import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import type { HerdConfig, PromptGuardConfig } from './herd-config.js';
import { type LlamaGuardResolution, resolveLlamaGuard } from './resolve-llama-guard.js';
import { type ModelRoleName, type ResolvedModelRole, resolveModelRole } from './resolve-model-role.js';

/**
 * Every role, resolved. Guard roles that are off or unavailable are `undefined` (their classifier is skipped);
 * Llama Guard is on by default where the provider serves it (see {@link resolveLlamaGuard}).
 */
export interface ResolvedHerdRoles {
  planner: ResolvedModelRole;
  actor: ResolvedModelRole;
  guard: {
    /** Prompt Guard 2 with `modelPath` made absolute. */
    promptGuard: PromptGuardConfig | undefined;
    llamaGuard: ResolvedModelRole | undefined;
    /** Whether Llama Guard checks run, through which API, and why (the role above is its `role`). */
    llamaGuardResolution: LlamaGuardResolution;
  };
}

/**
 * Resolves the planner, the actor and the guard roles at once, collecting every problem into one error.
 *
 * @throws {ConfigError} listing each role that cannot be resolved.
 */
export function resolveHerdRoles(options: {
  config: HerdConfig;
  baseDirectory: string;
  env?: NodeJS.ProcessEnv;
}): ResolvedHerdRoles {
  const { config, baseDirectory, env } = options;
  const errors: ConfigError[] = [];
  const attempt = (role: ModelRoleName): ResolvedModelRole | undefined => {
    try {
      return resolveModelRole({ config, role, ...(env ? { env } : {}) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error);
      return undefined;
    }
  };
  const planner = attempt('planner');
  const actor = attempt('actor');
  let llamaGuardResolution: LlamaGuardResolution | undefined;
  try {
    llamaGuardResolution = resolveLlamaGuard({ config, ...(env ? { env } : {}) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    errors.push(error);
  }
  if (errors.length > 0 || !planner || !actor || !llamaGuardResolution) {
    // The same root cause (for example no provider at all) is reported once.
    const messages = [...new Set(errors.map((error) => error.message))];
    const issues: ConfigIssue[] = errors.flatMap((error) => error.issues);
    throw new ConfigError({
      source: errors[0]?.source ?? 'configuration',
      code: errors[0]?.code ?? 'config_invalid',
      issues,
      message: messages.join('\n'),
    });
  }
  const promptGuardConfig = config.roles?.guard?.promptGuard || undefined;
  const promptGuard = promptGuardConfig
    ? {
        ...promptGuardConfig,
        modelPath: isAbsolute(promptGuardConfig.modelPath)
          ? promptGuardConfig.modelPath
          : resolve(baseDirectory, promptGuardConfig.modelPath),
      }
    : undefined;
  return {
    planner,
    actor,
    guard: { promptGuard, llamaGuard: llamaGuardResolution.role, llamaGuardResolution },
  };
}
