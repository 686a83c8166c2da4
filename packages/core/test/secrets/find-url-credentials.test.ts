import { describe, expect, it } from 'vitest';
import { findUrlCredentials } from '../../src/secrets/find-url-credentials.js';

const secretsIn = (text: string) => findUrlCredentials(text).map((span) => text.slice(span.start, span.end));

describe('findUrlCredentials', () => {
  it('finds the password of a URL of any scheme, and only the password', () => {
    expect(secretsIn('DATABASE_URL=postgres://app:s3cr3t@db.internal:5432/app')).toEqual(['s3cr3t']);
    expect(secretsIn('redis://:only-a-password@cache:6379')).toEqual(['only-a-password']);
    expect(secretsIn('mongodb+srv://u:p@cluster0.example.net/db')).toEqual(['p']);
    expect(secretsIn('jdbc:mysql://root:toor@127.0.0.1/test')).toEqual(['toor']);
  });

  it('finds user:pass@host the way a test file writes it', () => {
    expect(secretsIn("expect(url('http://user:pass@host')).toBe(true)")).toEqual(['pass']);
  });

  it('reads a password up to the last @ before the host, as URL parsers do', () => {
    expect(secretsIn('https://me:p@ss@w0rd@example.com/x')).toEqual(['p@ss@w0rd']);
  });

  it('finds a token used as the user name, but not a short user name', () => {
    expect(secretsIn('https://ghx0123456789abcdefABCDEF@github.com/o/r.git')).toEqual([
      'ghx0123456789abcdefABCDEF',
    ]);
    expect(secretsIn('ssh://git@github.com/o/r.git')).toEqual([]);
  });

  it('stops at the end of a JSON string or a Markdown link', () => {
    expect(secretsIn('{"a":"http://u:pw@h","b":"x@y"}')).toEqual(['pw']);
    expect(secretsIn('[db](postgres://u:pw@h) and mail@example.com')).toEqual(['pw']);
  });

  it('ignores URLs without credentials and e-mail addresses', () => {
    expect(secretsIn('see https://example.com/a@b and mail me@example.com, http://host:8080/path')).toEqual(
      [],
    );
  });
});
