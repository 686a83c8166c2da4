import {
  findUrlCredentials,
  type SecretDetectionOptions,
  type SecretDetector,
  type SecretSpan,
} from '@herd/core/secrets';
import { rules as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';
import { findHerdSecrets, herdSecretPrefixes } from './herd-secret-rules.js';

type RuleCreator = (typeof recommendedRules)[number];
type RuleContext = Parameters<RuleCreator['create']>[0];
type RuleSource = Parameters<NonNullable<ReturnType<RuleCreator['create']>['file']>>[0];

const rulePrefix = '@secretlint/secretlint-rule-';
// The preset's comment filter lets the scanned text switch detection off (`secretlint-disable`): text written by a
// model or a repository must not be able to hide a secret from the guard.
const rules = recommendedRules.filter((rule) => rule.meta.id !== `${rulePrefix}filter-comments`);
// Rule options: the AWS rule finds access key ids (AKIA...) and account ids only when asked to.
const ruleOptions: Record<string, object> = { [`${rulePrefix}aws`]: { enableIDScanRule: true } };
// Rules whose findings are whole URLs (connection strings, basic auth): only their credentials are redacted.
const urlRules = new Set(['basicauth', 'database-connection-string']);

/**
 * What could start a finding of any rule (the preset's literal prefixes and key words), plus '://...@' for
 * credentials in URLs. Only text that matches goes through the rules: most source files match nothing, which keeps
 * packing a large repository about as fast as with no detector. Every alternative is free of quotes and
 * backslashes, so it also matches inside JSON-escaped text. `secret-detector.test.ts` checks that every rule's
 * sample passes it.
 */
const maybeSecret = new RegExp(
  [
    '(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}',
    '(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)',
    String.raw`(?:ACCOUNT|account|Account)_?(?:ID|id|Id)?[\\"']{0,2}\s*(?::|=>|=)\s*[\\"']{0,2}[0-9]{4}`,
    'PRIVATE KEY',
    'x-oauth-basic',
    '_authToken=',
    'npm_',
    'xox[bparo]-',
    'xapp-',
    'lin_api_',
    String.raw`(?<![A-Za-z])SG\.`,
    'shp(?:pa|ca|at|ss)_',
    'ops_ey',
    String.raw`:\/\/[^\s/]*@`,
    ...herdSecretPrefixes,
  ].join('|'),
);
const maybeSecretAnyCase = /hooks\.slack\.com/i;

/**
 * The product's one secret detector: secretlint's recommended rules (AWS ids and secret keys, GCP, GitHub, npm,
 * Slack, SendGrid, Shopify, OpenAI, Anthropic, Linear, 1Password, private keys, basic-auth URLs, database connection
 * strings), the key formats it lacks (GitLab, Stripe, Google API keys, longer GitHub tokens) and credentials in URLs
 * of any scheme. The guard's secrets scanner, the packer, and every output of the
 * product (events, reports, plans, sessions, stdout and stderr) use it through `createSecretsRedactor`.
 *
 * The rules are run synchronously, so that anything about to be written can be redacted on the spot, and their
 * findings are corrected: a rule that reports the right length at the wrong place (secretlint's AWS secret key rule
 * reports 40 characters from the start of `secretAccessKey:`) is realigned onto the secret it names, and a finding
 * that is a whole URL is narrowed to the URL's credentials.
 */
export const secretDetector: SecretDetector = {
  version: 'herd-secrets@2+secretlint-preset-recommend@11.7.1',
  mayContain: (text) => maybeSecret.test(text) || maybeSecretAnyCase.test(text),
  find: (text, options) => (secretDetector.mayContain(text) ? detectSecrets(text, options) : []),
};

function detectSecrets(text: string, options: SecretDetectionOptions = {}): SecretSpan[] {
  const spans: SecretSpan[] = [];
  const source = sourceOf(text, options.path);
  for (const rule of rules) {
    const label = rule.meta.id.startsWith(rulePrefix) ? rule.meta.id.slice(rulePrefix.length) : rule.meta.id;
    const context: RuleContext = {
      sharedOptions: {},
      // Messages are never shown (they quote the secret); the translator hands the rule's data back instead.
      createTranslator: () =>
        ((_id: string, data?: Record<string, unknown>) => ({ message: '', data })) as never,
      report: ({ range, message }) => {
        const data = (message as { data?: Record<string, unknown> }).data;
        spans.push(...correctedSpans({ text, range, label, data }));
      },
      ignore: () => {},
    };
    const handler = rule.create(context, (ruleOptions[rule.meta.id] ?? {}) as never);
    // Every rule runs synchronously except GCP's for .p12 files, which are binary and never scanned as text.
    const pending = handler.file?.(source);
    if (pending instanceof Promise) pending.catch(() => {});
  }
  spans.push(...findHerdSecrets(text), ...findUrlCredentials(text));
  // Several rules may find the same secret (a Postgres URL is a connection string and has URL credentials).
  const seen = new Set<string>();
  return spans.filter((span) => {
    const key = `${span.start}:${span.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sourceOf(text: string, path = 'content.txt'): RuleSource {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return {
    content: text,
    filePath: path,
    physicalFilePath: undefined,
    contentType: 'text',
    hasBOM: false,
    ext: dot > 0 ? name.slice(dot) : '',
  } as unknown as RuleSource;
}

/**
 * Where a finding really is. A rule's report names the secret in its message data (`KEY`, `TOKEN`, `ID`...); when
 * the reported range does not hold that text, the secret is looked for from the range's start on (the rule matched
 * there), and the range is moved onto it. A whole-URL finding becomes its credentials.
 */
function correctedSpans(options: {
  text: string;
  range: readonly [number, number];
  label: string;
  data: Record<string, unknown> | undefined;
}): SecretSpan[] {
  const { text, label } = options;
  let [start, end] = options.range;
  const named = Object.values(options.data ?? {}).filter(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
  if (!named.some((value) => text.slice(start, end) === value)) {
    for (const value of named) {
      const found = text.indexOf(value, start);
      if (found >= 0 && found - start <= 1024) {
        start = found;
        end = found + value.length;
        break;
      }
    }
  }
  if (urlRules.has(label)) {
    const credentials = findUrlCredentials(text.slice(start, end));
    if (credentials.length > 0) {
      return credentials.map((span) => ({ start: start + span.start, end: start + span.end, label }));
    }
  }
  return [{ start, end, label }];
}
