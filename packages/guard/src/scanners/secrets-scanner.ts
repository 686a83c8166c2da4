import { createHash } from 'node:crypto';
import { createSecretRedactor } from '@herd/core';
import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';
import { findingFromSpans } from './finding-from-spans.js';
import type { Scanner, ScannerFinding, TextSpan } from './scanner.js';

/** Options for {@link createSecretsScanner}. */
export interface SecretsScannerOptions {
  /**
   * Environment whose secret-looking variables (provider keys, `*_TOKEN`, `*_KEY`, ...) are also looked for
   * verbatim; defaults to `process.env`. Pass `{}` to look only for key formats.
   */
  env?: NodeJS.ProcessEnv;
}

const rulePrefix = '@secretlint/secretlint-rule-';

/**
 * Finds keys and tokens with secretlint's recommended rule preset (AWS, GCP, GitHub, npm, Slack, SendGrid, Shopify,
 * OpenAI, Anthropic, Linear, 1Password, private keys, basic-auth URLs, database connection strings), plus the
 * verbatim values of secret environment variables. Categories are the rule names, e.g. `github`, `privatekey`.
 */
export function createSecretsScanner(options: SecretsScannerOptions = {}): Scanner {
  const env = options.env ?? process.env;
  // The core redactor decides which variables are secret; their values are looked for verbatim.
  const redactor = createSecretRedactor({ env });
  const values = redactor.names.map((name) => env[name]).filter((value): value is string => Boolean(value));
  return {
    name: 'secrets',
    // The values are hashed into the fingerprint: a changed secret must not be served a stale clean finding.
    fingerprint: `secrets@secretlint-11:${createHash('sha256').update(values.join('\0')).digest('hex')}`,
    async scan(subjects) {
      return Promise.all(subjects.map((subject) => findSecrets(subject.text, values)));
    },
  };
}

/**
 * secretlint's profiler marks every rule run in the process-wide performance timeline and keeps the entries in
 * arrays of its own, never cleared: an editor backend that scans for hours would grow without bound (and Node warns
 * past a million entries). Herd never reads the profile, so the profiler is given a timeline that records nothing.
 */
function silenceSecretlintProfiler(): void {
  (secretLintProfiler as unknown as { perf: { mark(): void; measure(): void } }).perf = {
    mark: () => {},
    measure: () => {},
  };
}
silenceSecretlintProfiler();

async function findSecrets(text: string, environmentValues: readonly string[]): Promise<ScannerFinding> {
  const result = await lintSource({
    source: { filePath: 'content.txt', content: text, contentType: 'text' },
    options: {
      config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedRules }] },
      maskSecrets: true,
      noPhysicFilePath: true,
    },
  });
  const spans: TextSpan[] = result.messages.map((message) => ({
    start: message.range[0],
    end: message.range[1],
    label: message.ruleId.startsWith(rulePrefix) ? message.ruleId.slice(rulePrefix.length) : message.ruleId,
  }));
  spans.push(...environmentSecretSpans(text, environmentValues));
  return findingFromSpans({ spans, reasonPrefix: 'Secrets found' });
}

function environmentSecretSpans(text: string, values: readonly string[]): TextSpan[] {
  const spans: TextSpan[] = [];
  for (const value of values) {
    for (let start = text.indexOf(value); start >= 0; start = text.indexOf(value, start + value.length)) {
      spans.push({ start, end: start + value.length, label: 'environment' });
    }
  }
  return spans;
}
