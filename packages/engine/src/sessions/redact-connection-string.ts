/**
 * Replaces the password of every `scheme://user:password@` in `text` with `***`, so a connection string can appear
 * in messages, logs and events.
 *
 * @param text - A connection string, or any text that may contain one.
 * @returns The text with every password replaced by `***`.
 * @example
 * redactConnectionString('postgres://herd:s3cret@db:5432/herd'); // 'postgres://herd:***@db:5432/herd'
 */
export function redactConnectionString(text: string): string {
  // The user part cannot contain '/', '@' or ':', the password cannot contain '/' or '@' unless percent-encoded.
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/@:\s]*):[^/@\s]*@/gi, '$1:***@');
}
