import type { HerdConfigSectionName } from './load-herd-config.js';

/**
 * One way a configuration weakens Herd against its defaults: it lets a model do more without asking (sandbox off,
 * commands allowed, the guard or a classifier switched off), or sends a key or the work somewhere else than the
 * provider's own host. A repository's configuration may tighten Herd without asking; each of these needs a person.
 */
export interface ConfigWeakening {
  /** Where in the configuration, e.g. `tools.sandbox.mode` or `providers.scripted.baseUrl`. */
  path: string;
  /** What it does, for a person deciding: e.g. `turns the command sandbox off`. */
  what: string;
}

/**
 * Finds what weakens Herd in one section another package owns (`tools`, `policy`, `run`), judged by that package
 * against its own defaults. Gets the raw section (`undefined` when absent), already validated.
 */
export type ConfigSectionJudge = (value: unknown) => ConfigWeakening[];

/** A judge for every section another package owns: none may be left unjudged. */
export type ConfigSectionJudges = Record<HerdConfigSectionName, ConfigSectionJudge>;

/** One line per weakening, `path: what`, for messages. */
export function describeConfigWeakenings(weakenings: readonly ConfigWeakening[]): string {
  return weakenings.map((weakening) => `${weakening.path}: ${weakening.what}`).join('; ');
}
