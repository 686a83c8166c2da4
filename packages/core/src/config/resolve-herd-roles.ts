import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import type { HerdConfig, PromptGuardConfig } from './herd-config.js';
import { type ModelRoleName, type ResolvedModelRole, resolveModelRole } from './resolve-model-role.js';

/** Every role, resolved. Guard roles that are not configured are `undefined` (their classifier is skipped). */
export interface ResolvedHerdRoles {
  planner: ResolvedModelRole;
  actor: ResolvedModelRole;
  guard: {
    /** Prompt Guard 2 with `modelPath` made absolute. */
    promptGuard: PromptGuardConfig | undefined;
    llamaGuard: ResolvedModelRole | undefined;
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
  const llamaGuard = config.roles?.guard?.llamaGuard ? attempt('llamaGuard') : undefined;
  if (errors.length > 0 || !planner || !actor) {
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
  const promptGuardConfig = config.roles?.guard?.promptGuard;
  const promptGuard = promptGuardConfig
    ? {
        ...promptGuardConfig,
        modelPath: isAbsolute(promptGuardConfig.modelPath)
          ? promptGuardConfig.modelPath
          : resolve(baseDirectory, promptGuardConfig.modelPath),
      }
    : undefined;
  return { planner, actor, guard: { promptGuard, llamaGuard } };
}
