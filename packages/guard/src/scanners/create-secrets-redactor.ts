import { createSecretRedactor, type SecretRedactor } from '@herd/core/secrets';
import { secretDetector } from './secret-detector.js';

/** Options for {@link createSecretsRedactor}. */
export interface SecretsRedactorOptions {
  /** Where secret values come from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Variables whose values are secret whatever their names (the key variables a configuration names). */
  extraNames?: readonly string[];
}

/**
 * The product's one redactor: the values of secret environment variables (provider keys, `HERD_API_KEY`, `*_TOKEN`,
 * `*_KEY`, `*_SECRET`, `*PASSWORD*`, credentials inside URLs) and everything the guard's {@link secretDetector}
 * finds. The secrets scanner, the packer and every output of a run (events, reports, plans, sessions, stdout and
 * stderr) redact through it, so a secret is removed the same way wherever it would have appeared.
 *
 * @example
 * ```ts
 * const redactor = createSecretsRedactor({ env: process.env });
 * process.stderr.write(redactor.redact(`provider said: ${error.message}`));
 * ```
 */
export function createSecretsRedactor(options: SecretsRedactorOptions = {}): SecretRedactor {
  return createSecretRedactor({
    env: options.env ?? process.env,
    ...(options.extraNames ? { extraNames: options.extraNames } : {}),
    detector: secretDetector,
  });
}
