import { type LoadedHerdConfig, type LoadHerdConfigOptions, loadHerdConfig } from '@herd/core';
import { parseRunSettings } from './run-settings.js';

/**
 * Loads the configuration for a workspace as every front door uses it: `herd.config.json` (or `HERD_CONFIG`) plus
 * `HERD_*` overrides, with the `tools`, `policy` and `run` sections validated by the packages that own them in the
 * same pass, so that one error lists every mistake in the file.
 *
 * @throws {ConfigError} listing every problem with its exact path.
 */
export async function loadWorkspaceConfig(
  options: Omit<LoadHerdConfigOptions, 'sections'> = {},
): Promise<LoadedHerdConfig> {
  // Loaded here, not at start: the command line imports this module for commands that need neither package.
  const [{ parseToolsConfig }, { parseGuardPolicy }] = await Promise.all([
    import('@herd/tools'),
    import('@herd/guard/policy'),
  ]);
  return loadHerdConfig({
    ...options,
    sections: { tools: parseToolsConfig, policy: parseGuardPolicy, run: parseRunSettings },
  });
}
