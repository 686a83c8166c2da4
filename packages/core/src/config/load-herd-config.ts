import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors/config-error.js';
import { formatConfigIssues } from './format-config-issues.js';
import { type HerdConfig, HerdConfigSchema } from './herd-config.js';

/** The file name Herd looks for, from the working directory up to the repository root. */
export const configFileName = 'herd.config.json';

/** Options for {@link loadHerdConfig}. */
export interface LoadHerdConfigOptions {
  /** Directory to start looking from; default `process.cwd()`. */
  cwd?: string;
  /** Explicit file; overrides `HERD_CONFIG` and the search. */
  path?: string;
  /** Environment to read `HERD_*` variables from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** A parsed configuration and where it came from. */
export interface LoadedHerdConfig {
  /** The configuration, with environment overrides applied. */
  config: HerdConfig;
  /** The file it was read from, or `undefined` when only the environment configured Herd. */
  file: string | undefined;
  /** Directory relative paths in the configuration are resolved against. */
  baseDirectory: string;
}

/**
 * Reads `herd.config.json` (or the file named by `HERD_CONFIG`), applies `HERD_*` environment overrides and
 * validates the result. A missing file is not an error: every setting has a default or can come from the
 * environment.
 *
 * Environment overrides: `HERD_PROVIDER`, `HERD_BASE_URL` (base URL of the chosen provider),
 * `HERD_PLANNER_MODEL`, `HERD_ACTOR_MODEL`, `HERD_LLAMA_GUARD_MODEL`, `HERD_PROMPT_GUARD_PATH`.
 *
 * @throws {ConfigError} when the file is not valid JSON or does not match the schema; the error lists every
 * problem with its exact path.
 */
export function loadHerdConfig(options: LoadHerdConfigOptions = {}): LoadedHerdConfig {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const named = options.path ?? env.HERD_CONFIG;
  const file = named ? resolve(cwd, named) : findConfigFile(cwd);
  const raw = file
    ? readConfigFile({ file, chosenBy: options.path ? 'option' : named ? 'HERD_CONFIG' : 'search' })
    : {};
  const withEnvironment = applyEnvironment(raw, env);
  const parsed = HerdConfigSchema.safeParse(withEnvironment);
  const source = file ?? 'environment';
  if (!parsed.success) {
    const issues = formatConfigIssues({ error: parsed.error, input: withEnvironment });
    throw new ConfigError({
      source,
      issues,
      message: `The configuration in ${source} is invalid:\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`,
      hint: 'Fix the values above; the README lists every setting.',
    });
  }
  return { config: parsed.data, file, baseDirectory: file ? dirname(file) : cwd };
}

function findConfigFile(start: string): string | undefined {
  let directory = start;
  for (;;) {
    const candidate = join(directory, configFileName);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(directory, '.git'))) return undefined;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** How the configuration file was chosen, which decides the fix a message suggests. */
type ConfigFileChoice = 'option' | 'HERD_CONFIG' | 'search';

function readConfigFile(options: { file: string; chosenBy: ConfigFileChoice }): unknown {
  const { file, chosenBy } = options;
  const otherwise = {
    option: 'or pass the path of a JSON file',
    HERD_CONFIG: 'or point HERD_CONFIG at a JSON file (or unset it)',
    search: 'or remove it, or point HERD_CONFIG at another file',
  }[chosenBy];
  let text: string;
  try {
    if (statSync(file).isDirectory()) {
      throw new ConfigError({
        source: file,
        message: `The configuration path ${file} is a directory, not a JSON file; replace it with a ${configFileName} file ${otherwise}.`,
      });
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError({
      source: file,
      code: 'config_unreadable',
      cause: error,
      message:
        reason === 'ENOENT'
          ? `The configuration file ${file} does not exist; create it ${otherwise}.`
          : `Cannot read the configuration file ${file} (${reason}); make it readable (chmod a+r) ${otherwise}.`,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError({
      source: file,
      code: 'config_not_json',
      cause: error,
      message: `The configuration file ${file} is not valid JSON (${(error as Error).message}); fix the syntax (no comments or trailing commas).`,
    });
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
