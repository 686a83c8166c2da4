import type { ConfigSectionJudges } from '@herd/core';
import { runSettingsWeakenings } from './run-settings-weakenings.js';

/**
 * The judges of what the `tools`, `policy` and `run` sections weaken, each from the package that owns the section's
 * defaults, for every front door's configuration trust check (`ensureConfigTrusted`, `herd config`).
 */
export async function loadConfigSectionJudges(): Promise<ConfigSectionJudges> {
  // Loaded here, not at start: the command line imports this module for commands that need neither package.
  const [{ toolsConfigWeakenings }, { guardPolicyWeakenings }] = await Promise.all([
    import('@herd/tools'),
    import('@herd/guard/policy'),
  ]);
  return { tools: toolsConfigWeakenings, policy: guardPolicyWeakenings, run: runSettingsWeakenings };
}
