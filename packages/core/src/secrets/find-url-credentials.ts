import type { SecretDetector, SecretSpan } from './secret-detector.js';

// Characters that end a URL's authority (user:password@host:port) in running text, JSON or Markdown.
const authorityEnd = /[\s/?#"'`<>\\]/;
const longestAuthority = 512;
// A user name alone (no password) is a credential only when it is long enough to be a token, e.g. https://<token>@host.
const shortestTokenUser = 20;

/**
 * Finds the credentials in URLs: the password of every `scheme://user:password@host` (any scheme: https, postgres,
 * redis, amqp...), and a token used as the user name (`https://<token>@host`). The span covers the password (or the
 * token) only, so the scheme, user and host stay readable. The password runs to the last `@` before the host, as URL
 * parsers read it.
 *
 * @example
 * ```ts
 * findUrlCredentials('postgres://app:s3cret@db:5432/app'); // [{ start: 15, end: 21, label: 'url-credentials' }]
 * ```
 */
export function findUrlCredentials(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (let found = text.indexOf('://'); found >= 0; found = text.indexOf('://', found + 3)) {
    // A scheme is letters right before '://'; anything else ('://' alone, "a ://") is not a URL.
    if (!/[A-Za-z0-9+.-]/.test(text[found - 1] ?? '')) continue;
    const start = found + 3;
    let end = start;
    while (end < text.length && end - start < longestAuthority && !authorityEnd.test(text[end] as string))
      end++;
    const at = text.lastIndexOf('@', end - 1);
    if (at < start) continue;
    const colon = text.indexOf(':', start);
    if (colon >= 0 && colon < at) {
      if (at > colon + 1) spans.push({ start: colon + 1, end: at, label: 'url-credentials' });
    } else if (at - start >= shortestTokenUser) {
      spans.push({ start, end: at, label: 'url-credentials' });
    }
  }
  return spans;
}

/** The detector core uses when it is given none: credentials in URLs only. */
export const urlCredentialDetector: SecretDetector = {
  version: 'url-credentials@1',
  mayContain: (text) => text.includes('://') && text.includes('@'),
  find: (text) => findUrlCredentials(text),
};
