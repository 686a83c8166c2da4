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
 * and whatever the detector finds. A value is found whole and also cut short or split in two: a stretch that begins
 * or ends it and holds at least half of it (8 characters at least) is redacted as the value would be.
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

  const known = values.map(withEnds);
  const mayContain = (text: string) =>
    detector.mayContain(text) ||
    known.some((entry) => text.includes(entry.head) || text.includes(entry.tail));
  const find = (text: string, findOptions?: SecretDetectionOptions): SecretSpan[] => {
    const spans: SecretSpan[] = [];
    for (const entry of known) spans.push(...findValue(text, entry));
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

// A value cut short (a message truncated to a length, a reply stopped at its token limit, the edge of an excerpt)
// or split in two (two events, two cells of a table) still gives most of the secret away: a stretch that begins or
// ends a value and holds at least half of it is redacted too. Less than half is left alone, so the prefix a vendor's
// keys share (`sk-proj-`) or a short password's first letters never mangle ordinary text.
const shortestFragment = 8;

/** A secret value with the stretches that begin and end it, the shortest that count as a fragment of it. */
interface KnownValue {
  name: string;
  value: string;
  head: string;
  tail: string;
}

function withEnds({ name, value }: { name: string; value: string }): KnownValue {
  const length = Math.min(value.length, Math.max(shortestFragment, Math.ceil(value.length / 2)));
  return { name, value, head: value.slice(0, length), tail: value.slice(value.length - length) };
}

/** Every occurrence of a value in `text`, whole or as a fragment that begins or ends it (see `shortestFragment`). */
function findValue(text: string, { name, value, head, tail }: KnownValue): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (let start = text.indexOf(head); start >= 0; start = text.indexOf(head, start + 1)) {
    let end = start + head.length;
    while (end - start < value.length && text[end] === value[end - start]) end++;
    spans.push({ start, end, label: name });
  }
  if (tail === value) return spans;
  const tailStart = value.length - tail.length;
  for (let found = text.indexOf(tail); found >= 0; found = text.indexOf(tail, found + 1)) {
    let start = found;
    let offset = tailStart;
    while (offset > 0 && start > 0 && text[start - 1] === value[offset - 1]) {
      start--;
      offset--;
    }
    spans.push({ start, end: found + tail.length, label: name });
  }
  return spans;
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
