import { HerdError, SystemError, UserError } from '@herd/core';
import { redactConnectionString } from './redact-connection-string.js';

/** Options for {@link postgresConnectionError}. */
export interface PostgresConnectionErrorOptions {
  /** What node-postgres threw. */
  error: unknown;
  /** The connection string that was used, password included (it is redacted from everything returned). */
  connectionString: string;
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P03',
]);
const authenticationCodes = new Set(['28P01', '28000']);
const missingDatabaseCode = '3D000';

/**
 * Turns a node-postgres failure to reach or use the session database into a Herd error that names the host, port,
 * database and user (never the password) and says how to fix it: a {@link SystemError} when the server cannot be
 * reached, a {@link UserError} when it refuses the credentials or lacks the database.
 */
export function postgresConnectionError(options: PostgresConnectionErrorOptions): HerdError {
  const { error, connectionString } = options;
  if (HerdError.isInstance(error)) return error;
  const target = describeTarget(connectionString);
  const code = errorCode(error);
  const password = passwordOf(connectionString);
  const reason =
    redact(error instanceof Error ? error.message : String(error), password) || (code ?? 'unknown error');
  const cause = sanitizedCause(error, password);
  const where = `the PostgreSQL session database ${target.database} on ${target.host}:${target.port} as user ${target.user}`;

  if (code !== undefined && authenticationCodes.has(code)) {
    return new UserError({
      code: 'session_database_rejected',
      message: `Could not sign in to ${where} (${reason}); fix the user and password in the connection string ${redactConnectionString(connectionString)}.`,
      cause,
    });
  }
  if (code === missingDatabaseCode) {
    return new UserError({
      code: 'session_database_rejected',
      message: `The database ${target.database} does not exist on ${target.host}:${target.port}; create it (createdb -h ${target.host} -p ${target.port} -U ${target.user} ${target.database}) or name an existing one in ${redactConnectionString(connectionString)}.`,
      cause,
    });
  }
  if ((code !== undefined && unreachableCodes.has(code)) || /timeout|terminated/i.test(reason)) {
    return new SystemError({
      code: 'session_database_unreachable',
      message: `Could not reach ${where} (${reason}); start PostgreSQL on ${target.host}:${target.port} or point the session database at a reachable postgres:// URL.`,
      hint: 'To keep sessions on this machine instead, leave the session database unset: Herd then uses SQLite at .herd/sessions.db.',
      cause,
    });
  }
  return new SystemError({
    code: 'session_database_failed',
    message: `The session database ${target.database} on ${target.host}:${target.port} failed (${reason}); check that user ${target.user} may create and write tables there.`,
    cause,
  });
}

interface ConnectionTarget {
  host: string;
  port: string;
  database: string;
  user: string;
}

function describeTarget(connectionString: string): ConnectionTarget {
  const url = new URL(connectionString);
  // pg also takes the host and port from query parameters (e.g. a Unix socket folder) and defaults like libpq.
  const host = url.searchParams.get('host') ?? (url.hostname === '' ? 'localhost' : url.hostname);
  const port = url.searchParams.get('port') ?? (url.port === '' ? '5432' : url.port);
  const user = decodeURIComponent(url.username) || process.env.PGUSER || process.env.USER || 'postgres';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
  return { host, port, database, user };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Node's happy-eyeballs connect (e.g. to `localhost`) throws an AggregateError of one error per address.
  if (Array.isArray(errors)) return errors.map(errorCode).find((inner) => inner !== undefined);
  return undefined;
}

function passwordOf(connectionString: string): string {
  const url = new URL(connectionString);
  return decodeURIComponent(url.password) || (url.searchParams.get('password') ?? '');
}

function redact(text: string, password: string): string {
  const redacted = redactConnectionString(text);
  if (password === '') return redacted;
  return redacted.split(password).join('***').split(encodeURIComponent(password)).join('***');
}

function sanitizedCause(error: unknown, password: string): unknown {
  if (!(error instanceof Error)) return error;
  const message = redact(error.message, password);
  if (message === error.message) return error;
  const copy = new Error(message);
  Object.assign(copy, { code: errorCode(error) });
  return copy;
}
