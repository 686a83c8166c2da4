import { existsSync, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import { formatConfigIssues } from './format-config-issues.js';
import { type HerdConfig, HerdConfigSchema } from './herd-config.js';
import { type ConfigFileChoice, readConfigFile } from './read-config-file.js';

/** The file name Herd looks for, from the working directory up to the repository root. */
export const configFileName = 'herd.config.json';

/** The sections of `herd.config.json` that other packages validate. */
export type HerdConfigSectionName = 'tools' | 'policy' | 'run';

/**
 * A parser of a section another package owns (`parseToolsConfig`, `parseGuardPolicy`, `parseRunSettings`). It gets
 * the raw section (`undefined` when absent) and throws a {@link ConfigError} listing its issues.
 */
export type HerdConfigSectionParser = (value: unknown, source: string) => unknown;

/** Options for {@link loadHerdConfig}. */
export interface LoadHerdConfigOptions {
  /** Directory to start looking from; default `process.cwd()`. */
  cwd?: string;
  /** Explicit file; overrides `HERD_CONFIG` and the search. */
  path?: string;
  /** Environment to read `HERD_*` variables from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Parsers of the sections other packages own, run in the same pass as the core schema so that one error lists
   * every mistake in the file, wherever it is.
   */
  sections?: Partial<Record<HerdConfigSectionName, HerdConfigSectionParser>>;
}

/** A parsed configuration and where it came from. */
export interface LoadedHerdConfig {
  /** The configuration, with environment overrides applied. */
  config: HerdConfig;
  /** The file it was read from, or `undefined` when only the environment configured Herd. */
  file: string | undefined;
  /** Directory relative paths in the configuration are resolved against. */
  baseDirectory: string;
  /** Hex SHA-256 of the file's bytes as parsed (what a trust check compares), or `undefined` without a file. */
  sha256?: string | undefined;
  /**
   * How the file was chosen: named by the caller (`option`, e.g. `herd init`'s own file), by `HERD_CONFIG`, or
   * found from the working directory up (`search`). A file named outside the repository is the person's own.
   */
  chosenBy?: ConfigFileChoice | undefined;
}

/**
 * Reads `herd.config.json` (or the file named by `HERD_CONFIG`), applies `HERD_*` environment overrides and
 * validates the result. A missing file is not an error: every setting has a default or can come from the
 * environment. Only a regular file of at most 1 MiB is read, and JSON nested deeper than 64 levels is refused.
 *
 * Environment overrides: `HERD_PROVIDER`, `HERD_BASE_URL` (base URL of the chosen provider),
 * `HERD_PLANNER_MODEL`, `HERD_ACTOR_MODEL`, `HERD_LLAMA_GUARD_MODEL`, `HERD_PROMPT_GUARD_PATH`.
 *
 * @throws {ConfigError} when the file cannot be read, is not valid JSON, or does not match the schema (or a
 * section parser given in `sections`); the error lists every problem with its exact path.
 */
export function loadHerdConfig(options: LoadHerdConfigOptions = {}): LoadedHerdConfig {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const named = options.path ?? env.HERD_CONFIG;
  const file = named ? resolve(cwd, named) : findConfigFile(cwd);
  const chosenBy: ConfigFileChoice = options.path ? 'option' : named ? 'HERD_CONFIG' : 'search';
  const contents = file ? readConfigFile({ file, chosenBy }) : undefined;
  const withEnvironment = applyEnvironment(contents?.value ?? {}, env);
  const parsed = HerdConfigSchema.safeParse(withEnvironment);
  const source = file ?? 'environment';
  const issues = parsed.success ? [] : formatConfigIssues({ error: parsed.error, input: withEnvironment });
  const sections = checkSections({ input: withEnvironment, source, issues, sections: options.sections });
  // A mistake in one section alone is reported as that section's parser words it.
  const [onlySectionError] = sections.errors;
  if (issues.length === 0 && sections.errors.length === 1 && onlySectionError) throw onlySectionError;
  issues.push(...sections.errors.flatMap((error) => error.issues));
  if (!parsed.success || issues.length > 0) {
    const hints = [
      'Fix the values above; the README lists every setting.',
      ...sections.errors.flatMap((error) => (error.hint ? [error.hint] : [])),
    ];
    throw new ConfigError({
      source,
      issues,
      message: `The configuration in ${source} is invalid:\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`,
      hint: [...new Set(hints)].join(' '),
    });
  }
  return {
    config: parsed.data,
    file,
    baseDirectory: file ? dirname(file) : cwd,
    sha256: contents?.sha256,
    ...(file ? { chosenBy } : {}),
  };
}

/**
 * Runs each section parser on its raw section, unless the core schema already found that section malformed, and
 * returns what they threw, each with at least one issue.
 */
function checkSections(options: {
  input: unknown;
  source: string;
  issues: readonly ConfigIssue[];
  sections: LoadHerdConfigOptions['sections'];
}): { errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const input = isRecord(options.input) ? options.input : {};
  for (const [name, parse] of Object.entries(options.sections ?? {})) {
    if (!parse || options.issues.some((issue) => issue.path === name || issue.path.startsWith(`${name}.`)))
      continue;
    try {
      parse(input[name], options.source);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(
        error.issues.length > 0
          ? error
          : new ConfigError({
              source: error.source,
              code: error.code,
              issues: [{ path: name, message: error.message }],
              message: error.message,
              ...(error.hint ? { hint: error.hint } : {}),
            }),
      );
    }
  }
  return { errors };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The modification time (0.424 s after the epoch) of the empty placeholders the command sandbox puts where a
 * workspace has no `herd.config.json` (or `.git`...) while a command runs, so the command cannot create one.
 */
export const sandboxPlaceholderTimeMs = 424;

/**
 * Whether a file is a sandbox placeholder: empty, with {@link sandboxPlaceholderTimeMs}. Another Herd running a
 * command in the same workspace, or one killed while it ran, leaves one; it stands for "no configuration".
 */
function isSandboxPlaceholder(file: string): boolean {
  try {
    const stats = lstatSync(file);
    return stats.isFile() && stats.size === 0 && stats.mtimeMs === sandboxPlaceholderTimeMs;
  } catch {
    return false;
  }
}

function findConfigFile(start: string): string | undefined {
  let directory = start;
  for (;;) {
    const candidate = join(directory, configFileName);
    if (existsSync(candidate) && !isSandboxPlaceholder(candidate)) return candidate;
    if (existsSync(join(directory, '.git'))) return undefined;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

function applyEnvironment(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const config = structuredClone(raw) as Record<string, unknown>;
  const section = (parent: Record<string, unknown>, key: string): Record<string, unknown> => {
    const existing = parent[key];
    if (typeof existing === 'object' && existing !== null && !Array.isArray(existing))
      return existing as Record<string, unknown>;
    const created: Record<string, unknown> = {};
    parent[key] = created;
    return created;
  };
  if (env.HERD_PROVIDER) config.provider = env.HERD_PROVIDER;
  if (env.HERD_BASE_URL) {
    const providerId = (config.provider as string | undefined) ?? 'openai-compatible';
    if (!config.provider) config.provider = providerId;
    section(section(config, 'providers'), providerId).baseUrl = env.HERD_BASE_URL;
  }
  if (env.HERD_PLANNER_MODEL) section(section(config, 'roles'), 'planner').model = env.HERD_PLANNER_MODEL;
  if (env.HERD_ACTOR_MODEL) section(section(config, 'roles'), 'actor').model = env.HERD_ACTOR_MODEL;
  if (env.HERD_LLAMA_GUARD_MODEL) {
    section(section(section(config, 'roles'), 'guard'), 'llamaGuard').model = env.HERD_LLAMA_GUARD_MODEL;
  }
  if (env.HERD_PROMPT_GUARD_PATH) {
    section(section(section(config, 'roles'), 'guard'), 'promptGuard').modelPath = env.HERD_PROMPT_GUARD_PATH;
  }
  return config;
}
