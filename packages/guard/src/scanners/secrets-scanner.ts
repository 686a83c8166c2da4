import { createSecretsRedactor } from './create-secrets-redactor.js';
import { findingFromSpans } from './finding-from-spans.js';
import type { Scanner } from './scanner.js';

/** Options for {@link createSecretsScanner}. */
export interface SecretsScannerOptions {
  /**
   * Environment whose secret-looking variables (provider keys, `*_TOKEN`, `*_KEY`, URL passwords, ...) are also
   * looked for verbatim; defaults to `process.env`. Pass `{}` to look only for key formats.
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * Finds keys and tokens with the product's one detector ({@link createSecretsRedactor}): secretlint's recommended
 * rules (AWS, GCP, GitHub, npm, Slack, SendGrid, Shopify, OpenAI, Anthropic, Linear, 1Password, private keys,
 * basic-auth URLs, database connection strings), credentials in URLs, and the verbatim values of secret environment
 * variables. Categories are the rule names (`github`, `privatekey`, `url-credentials`) or the variable's name.
 */
export function createSecretsScanner(options: SecretsScannerOptions = {}): Scanner {
  const redactor = createSecretsRedactor({ env: options.env ?? process.env });
  return {
    name: 'secrets',
    // The values are hashed into the fingerprint: a changed secret must not be served a stale clean finding.
    fingerprint: `secrets@${redactor.fingerprint}`,
    async scan(subjects) {
      return subjects.map((subject) =>
        findingFromSpans({ spans: redactor.find(subject.text), reasonPrefix: 'Secrets found' }),
      );
    },
  };
}
