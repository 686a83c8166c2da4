import { UserError } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { resolveSessionDatabase } from '../../src/sessions/session-database.js';

describe('resolveSessionDatabase', () => {
  it('stores sessions in SQLite at .herd/sessions.db in the workspace when no database is given', () => {
    expect(resolveSessionDatabase({ workspace: '/repo' })).toEqual({
      kind: 'sqlite',
      path: '/repo/.herd/sessions.db',
    });
  });

  it.each(['postgres://herd@db:5432/herd', 'postgresql://herd:pw@db/herd', 'POSTGRES://db/herd'])(
    'stores sessions in PostgreSQL for %s',
    (database) => {
      expect(resolveSessionDatabase({ workspace: '/repo', database })).toEqual({
        kind: 'postgres',
        connectionString: database,
      });
    },
  );

  it.each(['', 'sessions.db', 'sqlite:///repo/sessions.db', 'postgres:/db', 'mysql://db/herd'])(
    "rejects '%s' with the accepted forms",
    (database) => {
      expect(() => resolveSessionDatabase({ workspace: '/repo', database })).toThrow(UserError);
      expect(() => resolveSessionDatabase({ workspace: '/repo', database })).toThrow(
        /postgres:\/\/ or postgresql:\/\//,
      );
    },
  );
});
