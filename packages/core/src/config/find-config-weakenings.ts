import type { ConfigSectionJudges, ConfigWeakening } from './config-weakening.js';
import type { HerdConfig } from './herd-config.js';
import { modelConfigWeakenings } from './model-config-weakenings.js';

/**
 * Everything in a configuration that weakens Herd against its defaults, each with its path and what it does: the
 * provider and role settings judged here (where keys go, the classifiers), the `tools`, `policy` and `run` sections
 * by the judges of the packages that own them (sandbox, command policy, guard policy, plan deviations...). An empty
 * list means the configuration only tightens Herd, or changes what does not matter to its safety.
 *
 * @param options.config the parsed configuration (environment overrides applied: `HERD_*` values are the person's).
 * @param options.baseDirectory where relative paths in the configuration are resolved.
 * @param options.reach the folders a repository's content controls (the workspace and its repository).
 */
export function findConfigWeakenings(options: {
  config: HerdConfig;
  baseDirectory: string;
  reach: readonly string[];
  env?: NodeJS.ProcessEnv;
  sections: ConfigSectionJudges;
}): ConfigWeakening[] {
  const { config, sections } = options;
  return [
    ...modelConfigWeakenings({
      config,
      baseDirectory: options.baseDirectory,
      reach: options.reach,
      env: options.env ?? process.env,
    }),
    ...sections.tools(config.tools),
    ...sections.policy(config.policy),
    ...sections.run(config.run),
  ];
}
