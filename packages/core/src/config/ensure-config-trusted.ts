import { ConfigError } from '../errors/config-error.js';
import {
  type ConfigTrust,
  checkConfigTrust,
  configTrustNeedsPerson,
  configWeakeningsNeedPerson,
  describeConfigTrust,
  recordConfigTrust,
} from './config-trust.js';
import type { ConfigSectionJudges } from './config-weakening.js';
import type { LoadedHerdConfig } from './load-herd-config.js';

/**
 * Asks a person whether to use a configuration that changed, or that weakens Herd (a terminal question, an editor's
 * permission request); resolves true to use it.
 */
export type ConfigTrustQuestion = (trust: ConfigTrust) => Promise<boolean>;

/**
 * Makes sure a person stands behind the configuration before Herd acts on it. A file that is the one a person last
 * ran with, or the first in a repository where Herd never ran and that only tightens Herd, is used (and recorded);
 * a file that changed or appeared since, or that weakens Herd (sandbox, command policy, guard, where keys go) with
 * no person having accepted it, is put to `ask`, and without `ask`, or when the answer is no, refused. A yes is
 * recorded as a person's acceptance.
 *
 * @param options.judges the judges of the `tools`, `policy` and `run` sections.
 * @param options.vouchedBy set when the person running Herd accepted the configuration as it is for this run
 *   without being asked (`herd ci --trust-workspace-config`): it is used, but not recorded as a person's acceptance,
 *   so the next run without it is judged again.
 * @returns the verdict, recorded.
 * @throws {ConfigError} `config_unconfirmed`, naming the file, what it weakens, and how to accept it.
 */
export async function ensureConfigTrusted(options: {
  loaded: LoadedHerdConfig;
  workspace: string;
  env?: NodeJS.ProcessEnv;
  judges: ConfigSectionJudges;
  ask?: ConfigTrustQuestion | undefined;
  vouchedBy?: string | undefined;
}): Promise<ConfigTrust> {
  const trust = checkConfigTrust(options);
  let person = false;
  if (configTrustNeedsPerson(trust) && !options.vouchedBy) {
    if (!(options.ask && (await options.ask(trust)))) {
      throw unconfirmedConfigError(trust, options.ask !== undefined);
    }
    person = true;
  }
  recordConfigTrust(trust, { person });
  return trust;
}

/** The error for a configuration nobody confirmed: what changed or what it weakens, and how a person accepts it. */
export function unconfirmedConfigError(trust: ConfigTrust, asked: boolean): ConfigError {
  const file = trust.file ?? 'the configuration';
  const unattended = configWeakeningsNeedPerson(trust)
    ? " In CI, where nobody can be asked, `herd ci --trust-workspace-config` accepts it for one run (only where the configuration is yours, never a pull request's), or point HERD_CONFIG at a configuration kept outside the repository."
    : '';
  return new ConfigError({
    source: file,
    code: 'config_unconfirmed',
    message: `Herd will not use ${file} without a person confirming it: ${describeConfigTrust(trust)}.${asked ? ' It was not accepted.' : ''}`,
    hint: `Review it (for example \`git diff -- ${file}\`), then accept it with \`herd config trust\` in ${trust.scope}, or answer yes when Herd asks on a terminal or in the editor.${unattended}`,
  });
}
