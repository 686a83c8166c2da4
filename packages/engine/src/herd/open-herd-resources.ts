import type { LoadedHerdConfig } from '@herd/core';
import { createSecretsRedactor } from '@herd/guard';
import {
  type CommandRunner,
  createWorkspaceTools,
  type ToolDefinition,
  type WorkspaceFileSystem,
} from '@herd/tools';
import { createPlanStore } from '../planner/plan-store.js';
import { createSessionStore } from '../sessions/create-session-store.js';
import { loadWorkspaceConfig } from '../settings/load-workspace-config.js';
import { parseRunSettings } from '../settings/run-settings.js';
import { assertHerdDirectoryInside, prepareHerdDirectory } from './herd-directory.js';
import { configuredKeyVariables } from './role-key-variables.js';

/** What {@link openHerdResources} needs: the workspace and the caller's choices of what to load it with. */
export interface OpenHerdResourcesOptions {
  workspace: string;
  env: NodeJS.ProcessEnv;
  config?: LoadedHerdConfig | undefined;
  extraTools?: readonly ToolDefinition[] | undefined;
  fileSystem?: WorkspaceFileSystem | undefined;
  commandRunner?: CommandRunner | undefined;
}

/** What every use of a Herd shares: the configuration, the tools, the redactor, sessions and plans. */
export type HerdResources = Awaited<ReturnType<typeof openHerdResources>>;

/**
 * Opens what every use needs, none of it a model (`herd sessions` and `herd undo` work without one): the
 * configuration, the tools, the redactor, the session database and the plan store.
 */
export async function openHerdResources(options: OpenHerdResourcesOptions) {
  const { workspace, env } = options;
  assertHerdDirectoryInside(workspace);
  const loaded = options.config ?? (await loadWorkspaceConfig({ cwd: workspace, env }));
  const source = loaded.file ?? 'environment';
  const settings = parseRunSettings(loaded.config.run, source);
  const tools = await createWorkspaceTools({
    workspace,
    config: loaded.config.tools,
    configSource: source,
    environment: env,
    ...(options.extraTools ? { extraTools: options.extraTools } : {}),
    ...(options.fileSystem ? { fileSystem: options.fileSystem } : {}),
    ...(options.commandRunner ? { commandRunner: options.commandRunner } : {}),
  });
  // The workspace exists (the jail checked it): .herd gets its .gitignore before the guard's cache or audit log,
  // or the session database, writes there.
  prepareHerdDirectory(workspace);
  // Every output (events, plans, sessions, results, errors) loses the values of the key variables this
  // configuration reads, whatever their names, besides everything the product's redactor knows. Opening needs no
  // model, so a configuration without an endpoint adds no names.
  const redactor = createSecretsRedactor({ env, extraNames: configuredKeyVariables(loaded, env) });
  const sessions = await createSessionStore({ workspace, database: settings.sessionDatabase, redactor });
  return { loaded, settings, tools, redactor, sessions, plans: createPlanStore({ workspace, redactor }) };
}
