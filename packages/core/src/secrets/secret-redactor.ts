import { createHash } from 'node:crypto';
import { environmentSecrets } from './environment-secrets.js';
import { urlCredentialDetector } from './find-url-credentials.js';
import { redactSpans } from './redact-spans.js';
import type { SecretDetectionOptions, SecretDetector, SecretSpan } from './secret-detector.js';

/**
 * Removes secrets from anything before it leaves the process or reaches the disk: events, logs, reports, plans,
 * saved sessions, errors. One redactor knows both kinds of secret: the values of secret environment variables, and
 * what a {@link SecretDetector} finds by shape.
 */
export interface SecretRedactor {
  /** Names of the variables whose values are redacted. */
  readonly names: readonly string[];
  /** Changes whenever what the redactor removes could change (other values, another detector); for cache keys. */
  readonly fingerprint: string;
  /** Cheap: `false` only when `text` (or any JSON string inside it) holds nothing to redact. */
  mayContain(text: string): boolean;
  /** Where the secrets in `text` are: variable values labelled with the variable's name, detector findings. */
  find(text: string, options?: SecretDetectionOptions): SecretSpan[];
  /** `text` with every secret replaced by `[redacted:LABEL]`. */
  redact(text: string, options?: SecretDetectionOptions): string;
  /**
   * How many characters at the end of `text` begin a secret value without completing it: a stream of text holds
   * them back until the next piece shows whether the secret follows.
   */
  partialSecretLength(text: string): number;
  /**
   * A copy of a JSON-like value (plain objects, arrays, strings, numbers...) with every string, keys included,
   * redacted; other objects (class instances) are returned as they are.
   */
  redactValue<TValue>(value: TValue): TValue;
  /**
   * Redacts JSON text by parsing it and redacting its strings, so a secret that the text holds escaped is still
   * found and the result is still valid JSON (text that does not parse is redacted as plain text).
   */
  redactJson(text: string): string;
}

/** Options for {@link createSecretRedactor}. */
export interface SecretRedactorOptions {
  /** Where secret values come from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Variables whose values are secret whatever their names (the key variables a configuration names). */
  extraNames?: readonly string[];
  /** Finds secrets by shape; default credentials in URLs only. Herd passes the guard's `secretDetector`. */
  detector?: SecretDetector;
}

/**
 * Builds a redactor from the environment: the value of every provider key variable and of every variable whose name
 * looks secret (`*_KEY`, `*_TOKEN`, `*SECRET*`, `*PASSWORD*`, ...), the passwords inside URLs held by any variable,
 * and whatever the detector finds.
 *
 * @example
 * ```ts
 * const redactor = createSecretRedactor({ env: { LLAMA_API_KEY: 'sk-live-123456' } });
 * redactor.redact('key sk-live-123456'); // 'key [redacted:LLAMA_API_KEY]'
 * ```
 */
export function createSecretRedactor(options: SecretRedactorOptions = {}): SecretRedactor {
  const detector = options.detector ?? urlCredentialDetector;
  const values = environmentSecrets({ env: options.env ?? process.env, extraNames: options.extraNames });
  const fingerprint = createHash('sha256')
    .update(detector.version)
    .update('\0')
    .update(values.map((entry) => `${entry.name}=${entry.value}`).join('\0'))
    .digest('hex');

  const mayContain = (text: string) =>
    detector.mayContain(text) || values.some((entry) => text.includes(entry.value));
  const find = (text: string, findOptions?: SecretDetectionOptions): SecretSpan[] => {
    const spans: SecretSpan[] = [];
    for (const { name, value } of values) {
      for (let start = text.indexOf(value); start >= 0; start = text.indexOf(value, start + value.length)) {
        spans.push({ start, end: start + value.length, label: name });
      }
    }
    if (detector.mayContain(text)) spans.push(...detector.find(text, findOptions));
    return withoutMarkers(text, spans);
  };
  const redact = (text: string, findOptions?: SecretDetectionOptions): string => {
    const spans = find(text, findOptions);
    return spans.length === 0 ? text : redactSpans(text, spans);
  };
  const redactValue = <TValue>(value: TValue): TValue => redactDeep(value, redact) as TValue;

  const partialSecretLength = (text: string): number => {
    let longest = 0;
    for (const { value } of values) {
      for (let length = Math.min(value.length - 1, text.length); length > longest; length--) {
        if (text.endsWith(value.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  };

  return {
    names: [...new Set(values.map((entry) => entry.name))],
    fingerprint,
    mayContain,
    find,
    redact,
    partialSecretLength,
    redactValue,
    redactJson(text) {
      if (!mayContain(text)) return text;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return redact(text);
      }
      return JSON.stringify(redactValue(parsed));
    },
  };
}

const marker = /\[redacted:[^\]\s]{1,128}\]/g;

/** Text redacted twice reads the same as once: a marker (`user:[redacted:X]@host`) is never taken for a secret. */
function withoutMarkers(text: string, spans: SecretSpan[]): SecretSpan[] {
  if (spans.length === 0 || !text.includes('[redacted:')) return spans;
  const markers = [...text.matchAll(marker)].map((match) => [match.index, match.index + match[0].length]);
  return spans.filter(
    (span) => !markers.some(([start = 0, end = 0]) => span.start >= start && span.end <= end),
  );
}

function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (typeof value !== 'object' || value === null) return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)]),
  );
}
