import { ConfigError } from '../errors/config-error.js';
import {
  type ConfigTrust,
  checkConfigTrust,
  configTrustNeedsPerson,
  describeConfigTrust,
  recordConfigTrust,
} from './config-trust.js';
import type { LoadedHerdConfig } from './load-herd-config.js';

/**
 * Asks a person whether to use a configuration that changed (a terminal question, an editor's permission request);
 * resolves true to use it.
 */
export type ConfigTrustQuestion = (trust: ConfigTrust) => Promise<boolean>;

/**
 * Makes sure a person stands behind the configuration before Herd acts on it. A file that is the one a person last
 * ran with, or the first in a repository where Herd never ran, is used (and recorded); a file that changed or
 * appeared since is put to `ask`, and without `ask`, or when the answer is no, refused.
 *
 * @returns the verdict, recorded.
 * @throws {ConfigError} `config_unconfirmed`, naming the file and how to accept it.
 */
export async function ensureConfigTrusted(options: {
  loaded: LoadedHerdConfig;
  workspace: string;
  env?: NodeJS.ProcessEnv;
  ask?: ConfigTrustQuestion | undefined;
}): Promise<ConfigTrust> {
  const trust = checkConfigTrust(options);
  if (configTrustNeedsPerson(trust) && !(options.ask && (await options.ask(trust)))) {
    throw unconfirmedConfigError(trust, options.ask !== undefined);
  }
  recordConfigTrust(trust);
  return trust;
}

/** The error for a configuration nobody confirmed: what changed, and how a person accepts it. */
export function unconfirmedConfigError(trust: ConfigTrust, asked: boolean): ConfigError {
  const file = trust.file ?? 'the configuration';
  return new ConfigError({
    source: file,
    code: 'config_unconfirmed',
    message: `Herd will not use ${file} without a person confirming it: ${describeConfigTrust(trust)}.${asked ? ' It was not accepted.' : ''}`,
    hint: `Review it (for example \`git diff -- ${file}\`), then accept it with \`herd config trust\` in ${trust.scope}, or answer yes when Herd asks on a terminal or in the editor.`,
  });
}
