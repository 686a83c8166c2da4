import { describe, expect, it } from 'vitest';
import { redactConnectionString } from '../../src/sessions/redact-connection-string.js';

describe('redactConnectionString', () => {
  it('replaces the password of a connection string and keeps user, host, port and database', () => {
    expect(redactConnectionString('postgres://herd:s3cret@db.internal:5432/herd')).toBe(
      'postgres://herd:***@db.internal:5432/herd',
    );
  });

  it('replaces a password that contains colons or an unencoded @', () => {
    expect(redactConnectionString('postgresql://herd:a:b@c@db/herd')).toBe('postgresql://herd:***@db/herd');
  });

  it('replaces a password given as a query parameter', () => {
    expect(redactConnectionString('postgres://db/herd?sslmode=require&password=s3cret')).toBe(
      'postgres://db/herd?sslmode=require&password=***',
    );
  });

  it('redacts every connection string inside a longer text', () => {
    expect(redactConnectionString('from postgres://a:one@h1/x to postgres://b:two@h2/y failed')).toBe(
      'from postgres://a:***@h1/x to postgres://b:***@h2/y failed',
    );
  });

  it('leaves a connection string without a password as it is', () => {
    expect(redactConnectionString('postgresql://postgres@127.0.0.1:54329/herd_test')).toBe(
      'postgresql://postgres@127.0.0.1:54329/herd_test',
    );
  });
});
