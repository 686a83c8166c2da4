import { join } from 'node:path';
import { UserError } from '@herd/core';
import { redactConnectionString } from './redact-connection-string.js';

/** Where sessions are stored, once the `database` option is understood. */
export type SessionDatabase =
  | {
      /** A SQLite file on this machine. */
      kind: 'sqlite';
      /** Absolute path of the file. */
      path: string;
    }
  | {
      /** A PostgreSQL database, shared by a team. */
      kind: 'postgres';
      /** The connection string as given, password included: never print it, use {@link redactConnectionString}. */
      connectionString: string;
    };

/** Options for {@link resolveSessionDatabase}. */
export interface ResolveSessionDatabaseOptions {
  /** Absolute path of the workspace; the SQLite default lives in its `.herd` folder. */
  workspace: string;
  /** A `postgres://` or `postgresql://` connection string; absent means SQLite at `<workspace>/.herd/sessions.db`. */
  database?: string | undefined;
}

/** The SQLite file used when no database is configured, relative to the workspace. */
export const defaultSessionDatabasePath = join('.herd', 'sessions.db');

const postgresScheme = /^postgres(?:ql)?:\/\//i;

/**
 * Decides where sessions are stored: SQLite at `<workspace>/.herd/sessions.db` by default, PostgreSQL for a
 * `postgres://` or `postgresql://` connection string.
 *
 * @throws UserError (`session_database_invalid`) for any other value, naming it (password redacted) and the accepted forms.
 * @example
 * resolveSessionDatabase({ workspace: '/repo' }); // { kind: 'sqlite', path: '/repo/.herd/sessions.db' }
 */
export function resolveSessionDatabase(options: ResolveSessionDatabaseOptions): SessionDatabase {
  const { workspace, database } = options;
  if (database === undefined) return { kind: 'sqlite', path: join(workspace, defaultSessionDatabasePath) };
  if (postgresScheme.test(database) && isParsableUrl(database)) {
    return { kind: 'postgres', connectionString: database };
  }
  throw new UserError({
    code: 'session_database_invalid',
    message: `Session database '${redactConnectionString(database)}' is not supported; give a postgres:// or postgresql:// connection string (e.g. postgres://user:password@host:5432/herd), or leave it unset to use SQLite at ${defaultSessionDatabasePath} in the workspace.`,
  });
}

function isParsableUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
