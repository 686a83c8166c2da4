import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { ConfigError } from '../errors/config-error.js';
import type { ProviderPreset } from '../providers/provider-preset.js';
import { providerPresets } from '../providers/provider-presets.js';
import { detectProvider, resolveProvider } from '../providers/resolve-provider.js';
import type { ConfigWeakening } from './config-weakening.js';
import type { HerdConfig } from './herd-config.js';

/** Prompt Guard's default overlap between neighbouring windows, in tokens (see `PromptGuardConfigSchema`). */
const defaultOverlapTokens = 64;

const presets = Object.values(providerPresets) as ProviderPreset[];

/**
 * What the provider and role settings weaken: a key sent to a host other than its own, a classifier turned off or
 * replaced by another model, a Prompt Guard model the repository supplies.
 *
 * A key variable goes without a person's yes only to its own preset's host (same scheme, host and port; for the
 * local presets, any loopback address), or to `HERD_BASE_URL`, which the person running Herd chose. A key variable
 * that is no preset's (`apiKeyEnv: "GITHUB_TOKEN"`) always needs a person, wherever it goes.
 *
 * @param options.reach the folders a repository's content controls (the workspace and its repository).
 * @param options.env the environment, whose `HERD_*` overrides are the person's choices.
 */
export function modelConfigWeakenings(options: {
  config: HerdConfig;
  baseDirectory: string;
  reach: readonly string[];
  env: NodeJS.ProcessEnv;
}): ConfigWeakening[] {
  return [...providerWeakenings(options.config, options.env), ...guardRoleWeakenings(options)];
}

/** Every provider the configuration declares or overrides, judged by where its key goes. */
function providerWeakenings(config: HerdConfig, env: NodeJS.ProcessEnv): ConfigWeakening[] {
  const weakenings: ConfigWeakening[] = [];
  for (const [id, override] of Object.entries(config.providers ?? {})) {
    let provider: ProviderPreset;
    try {
      provider = resolveProvider({ config, id, at: `providers.${id}` });
    } catch (error) {
      // A provider that cannot be resolved is never called (the run stops with its error first).
      if (error instanceof ConfigError) continue;
      throw error;
    }
    const key = provider.apiKeyEnv;
    const base = basePreset(config, id);
    // A key variable other than the preset's is the cause wherever it goes; otherwise the address is.
    const keyChosen = override.apiKeyEnv !== undefined && override.apiKeyEnv !== base?.apiKeyEnv;
    for (const field of ['baseUrl', 'moderationsUrl'] as const) {
      const url = provider[field];
      if (url === undefined || keyMayGo(key, url, env)) continue;
      weakenings.push({
        path: `providers.${id}.${keyChosen ? 'apiKeyEnv' : field}`,
        what: describeKeyDestination(key, url),
      });
    }
    const guardModel = override.models?.llamaGuard;
    if (guardModel && base?.models.llamaGuard && guardModel !== base.models.llamaGuard) {
      weakenings.push({
        path: `providers.${id}.models.llamaGuard`,
        what: `replaces Llama Guard 4 (${base.models.llamaGuard}) with ${guardModel}, a model that need not flag anything`,
      });
    }
  }
  return weakenings;
}

/** Whether the value of `key` may be sent to `url` without a person's yes. */
function keyMayGo(key: string, url: string, env: NodeJS.ProcessEnv): boolean {
  const homes = presets.filter((preset) => preset.apiKeyEnv === key);
  if (homes.length === 0) return false;
  if (env.HERD_BASE_URL && sameOrigin(url, env.HERD_BASE_URL)) return true;
  return homes.some(
    (preset) =>
      sameOrigin(url, preset.baseUrl) ||
      (preset.moderationsUrl !== undefined && sameOrigin(url, preset.moderationsUrl)) ||
      (isLoopback(preset.baseUrl) && isLoopback(url)),
  );
}

function describeKeyDestination(key: string, url: string): string {
  const destination = originOf(url);
  const home = presets.find((preset) => preset.apiKeyEnv === key);
  if (!home) {
    return `sends the value of ${key}, which is no provider's key variable, as the API key to ${destination}`;
  }
  const own = isLoopback(home.baseUrl) ? 'a server on this machine' : originOf(home.baseUrl);
  return `sends ${key} (${home.label}'s key) to ${destination} instead of ${own}`;
}

/** Prompt Guard and Llama Guard: off, replaced, or fed a model the repository supplies. */
function guardRoleWeakenings(options: {
  config: HerdConfig;
  baseDirectory: string;
  reach: readonly string[];
  env: NodeJS.ProcessEnv;
}): ConfigWeakening[] {
  const { config, baseDirectory, reach, env } = options;
  const guard = config.roles?.guard;
  const weakenings: ConfigWeakening[] = [];
  const promptGuard = guard?.promptGuard;
  if (promptGuard === false) {
    weakenings.push({ path: 'roles.guard.promptGuard', what: 'turns Prompt Guard 2 off' });
  } else if (promptGuard) {
    const modelPath = isAbsolute(promptGuard.modelPath)
      ? promptGuard.modelPath
      : resolve(baseDirectory, promptGuard.modelPath);
    const real = realLocation(modelPath);
    if (
      promptGuard.modelPath !== env.HERD_PROMPT_GUARD_PATH &&
      reach.some((folder) => isWithin(real, realLocation(folder)))
    ) {
      weakenings.push({
        path: 'roles.guard.promptGuard.modelPath',
        what: `runs Prompt Guard from ${modelPath}, a model inside the repository, which its own content can make pass everything`,
      });
    }
    if (promptGuard.overlapTokens !== undefined && promptGuard.overlapTokens < defaultOverlapTokens) {
      weakenings.push({
        path: 'roles.guard.promptGuard.overlapTokens',
        what: `lets an injection hide across Prompt Guard's windows (overlap ${promptGuard.overlapTokens} tokens, default ${defaultOverlapTokens})`,
      });
    }
  }
  const llamaGuard = guard?.llamaGuard;
  if (llamaGuard === false) {
    weakenings.push({ path: 'roles.guard.llamaGuard', what: 'turns Llama Guard 4 off' });
  } else if (llamaGuard) {
    const provider = llamaGuard.provider ?? config.provider ?? detectProvider(env);
    const served = provider ? basePreset(config, provider)?.models.llamaGuard : undefined;
    if (
      llamaGuard.model &&
      served &&
      llamaGuard.model !== served &&
      llamaGuard.model !== env.HERD_LLAMA_GUARD_MODEL
    ) {
      weakenings.push({
        path: 'roles.guard.llamaGuard.model',
        what: `replaces Llama Guard 4 (${served}) with ${llamaGuard.model}, a model that need not flag anything`,
      });
    }
    (llamaGuard.fallbacks ?? []).forEach((fallback, index) => {
      const fallbackProvider = fallback.provider ?? provider;
      const servedThere = fallbackProvider
        ? basePreset(config, fallbackProvider)?.models.llamaGuard
        : undefined;
      if (servedThere && fallback.model !== servedThere) {
        weakenings.push({
          path: `roles.guard.llamaGuard.fallbacks.${index}.model`,
          what: `falls back from Llama Guard 4 to ${fallback.model}, a model that need not flag anything`,
        });
      }
    });
  }
  return weakenings;
}

/** The preset a provider id starts from, before the configuration's overrides (see `resolveProvider`). */
function basePreset(config: HerdConfig, id: string): ProviderPreset | undefined {
  const override = config.providers?.[id];
  const name = override?.extends ?? (id in providerPresets ? id : override ? 'openai-compatible' : undefined);
  return name ? (providerPresets as Record<string, ProviderPreset>)[name] : undefined;
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function originOf(url: string): string {
  return parse(url)?.origin ?? url;
}

function sameOrigin(left: string, right: string): boolean {
  const [a, b] = [parse(left), parse(right)];
  return a !== undefined && b !== undefined && a.origin === b.origin;
}

/** Whether the URL names this machine: `localhost`, `127.0.0.0/8` or `::1`. */
function isLoopback(url: string): boolean {
  const host = parse(url)?.hostname;
  if (host === undefined) return false;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The path with every link resolved, for the longest part of it that exists (the rest appended as given). */
function realLocation(target: string): string {
  const missing: string[] = [];
  let current = resolve(target);
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return resolve(target);
      missing.push(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      current = parent;
    }
  }
}

function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : `${parent}${sep}`);
}
