import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { enginePackageFile } from '../engine-package-file.js';
import { type DetectedProvider, detectModelProvider } from './detect-model-provider.js';
import { type DetectedTestCommand, detectTestCommand } from './detect-test-command.js';

/** A starter `herd.config.json` and what was detected to write it. */
export interface StarterConfig {
  config: Record<string, unknown>;
  provider: DetectedProvider | undefined;
  testCommand: DetectedTestCommand | undefined;
}

/**
 * Where `"$schema"` points: the repository's own `node_modules/@herd/engine` copy when it has one (a relative path
 * that works on every clone), else the schema file of the Herd that runs, as a `file:` URL (this machine only).
 */
export function herdConfigSchemaReference(workspace: string): string {
  const relative = './node_modules/@herd/engine/schema/herd-config.schema.json';
  if (existsSync(join(workspace, relative))) return relative;
  // The JSON Schema shipped with this copy of `@herd/engine`.
  return pathToFileURL(enginePackageFile('schema/herd-config.schema.json')).href;
}

/**
 * Builds the configuration `herd init` writes for a repository: `"$schema"` for editors, the provider whose key is
 * set or whose local server answers (with the served model when it is not the preset's), and the repository's own
 * test command as `run.testCommand`, which verification runs without asking. What is not detected is left out, so
 * defaults and the environment still apply.
 */
export async function buildStarterConfig(options: {
  workspace: string;
  env: NodeJS.ProcessEnv;
  localBaseUrls?: Parameters<typeof detectModelProvider>[0]['localBaseUrls'];
}): Promise<StarterConfig> {
  const [provider, testCommand] = await Promise.all([
    detectModelProvider({
      env: options.env,
      ...(options.localBaseUrls ? { localBaseUrls: options.localBaseUrls } : {}),
    }),
    Promise.resolve(detectTestCommand(options.workspace)),
  ]);
  const config: Record<string, unknown> = { $schema: herdConfigSchemaReference(options.workspace) };
  if (provider) config.provider = provider.provider;
  if (provider?.models) {
    config.roles = { planner: { model: provider.models.planner }, actor: { model: provider.models.actor } };
  }
  if (testCommand) config.run = { testCommand: testCommand.argv };
  return { config, provider, testCommand };
}
