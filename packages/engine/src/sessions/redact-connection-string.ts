/**
 * Replaces the password of every `scheme://user:password@` and every `password=` query parameter in `text` with
 * `***`, so a connection string can appear in messages, logs and events.
 *
 * @param text - A connection string, or any text that may contain one.
 * @returns The text with every password replaced by `***`.
 * @example
 * redactConnectionString('postgres://herd:s3cret@db:5432/herd'); // 'postgres://herd:***@db:5432/herd'
 */
export function redactConnectionString(text: string): string {
  // The user part ends at the first ':'; the password runs to the last '@' before the path, as URL parsers read it.
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/@:\s]*):[^/\s]*@/gi, '$1:***@')
    .replace(/([?&]password=)[^&#\s]*/gi, '$1***');
}
