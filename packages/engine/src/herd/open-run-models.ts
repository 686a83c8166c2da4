import { createSecretRedactor, emptySecretDetector, type ResolvedHerdRoles } from '@herd/core';
import { createChatModelChain } from '@herd/core/models';
import { createGuardFromConfig } from '@herd/guard';
import type { createGuardModelCalls } from '../run/guard-model-calls.js';
import type { HerdResources } from './open-herd-resources.js';
import { roleKeyVariables } from './role-key-variables.js';

/** What {@link openRunModels} needs besides the opened resources and the resolved roles. */
export interface OpenRunModelsOptions {
  env: NodeJS.ProcessEnv;
  ci: boolean;
  guardModelCalls: ReturnType<typeof createGuardModelCalls>;
  requireGuard?: boolean | undefined;
  guardPolicy?: unknown;
}

/** The guard and the chat models of a Herd's runs. */
export type RunModels = Awaited<ReturnType<typeof openRunModels>>;

/** Opens what a run needs besides the resources: the guard (with its classifiers) and the chat models. */
export async function openRunModels(
  opened: HerdResources,
  roles: ResolvedHerdRoles,
  options: OpenRunModelsOptions,
) {
  const { env } = options;
  const configuredGuard = await createGuardFromConfig({
    config: opened.loaded.config,
    baseDirectory: opened.loaded.baseDirectory,
    mode: options.ci ? 'ci' : 'act',
    env,
    onModelCall: options.guardModelCalls.onModelCall,
    ...(options.requireGuard ? { requireClassifiers: ['prompt_guard', 'llama_guard'] as const } : {}),
    ...(options.guardPolicy !== undefined ? { policy: options.guardPolicy } : {}),
  });
  // Prompts lose the values of the key variables this configuration reads (what the guard finds by shape is for
  // its policy to judge).
  const keys = createSecretRedactor({
    env,
    extraNames: roleKeyVariables(roles),
    detector: emptySecretDetector,
  });
  return {
    roles,
    configuredGuard,
    plannerModels: createChatModelChain({ role: roles.planner, env, redactor: keys }),
    actorModels: createChatModelChain({ role: roles.actor, env, redactor: keys }),
  };
}
