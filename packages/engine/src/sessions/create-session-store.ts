import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { type SecretRedactor, SystemError, UserError } from '@herd/core';
import { createSecretsRedactor } from '@herd/guard/secrets';
import { createRedactingSerializer } from './redacting-serializer.js';
import type { SessionBackend } from './session-backend.js';
import { resolveSessionDatabase } from './session-database.js';
import { type SessionRecord, SessionRecordSchema } from './session-record.js';
import type { SessionStore } from './session-store.js';
import { openSqliteSessionBackend } from './sqlite-session-backend.js';

/** Options for {@link createSessionStore}. */
export interface CreateSessionStoreOptions {
  /** The workspace (repository root) the sessions belong to; the SQLite default lives in its `.herd` folder. */
  workspace: string;
  /**
   * A `postgres://` or `postgresql://` connection string for a database shared by a team. When absent, sessions are
   * stored in SQLite at `<workspace>/.herd/sessions.db`.
   */
  database?: string | undefined;
  /**
   * Takes secrets out of everything stored: session records and every checkpoint, its metadata and pending writes.
   * Default: the product's redactor over `process.env` (`createSecretsRedactor` in `@herd/guard`).
   */
  redactor?: SecretRedactor;
}

/**
 * Opens the session store: a LangGraph checkpointer plus the session records behind `herd sessions` and
 * `herd resume`. SQLite (WAL mode, so a killed process leaves a consistent file) at `<workspace>/.herd/sessions.db`
 * by default; PostgreSQL for a `postgres://` connection string, with the checkpoint tables and Herd's
 * `herd_sessions` table created when missing. Nothing reaches the database before its secrets are redacted.
 *
 * @param options - The workspace and, optionally, a PostgreSQL connection string.
 * @throws UserError (`session_database_invalid`) when `database` is neither absent nor a postgres URL.
 * @throws SystemError (`session_database_unreachable`, `session_database_unavailable`) when the database cannot be
 * reached or opened; the message names the host or file, never the password.
 * @example
 * const sessions = await createSessionStore({ workspace: process.cwd() });
 * const graph = builder.compile({ checkpointer: sessions.checkpointer });
 * const session = await sessions.record({ task: 'fix the failing test' });
 * await graph.invoke(input, sessions.threadConfig(session.id));
 * await sessions.close();
 */
export async function createSessionStore(options: CreateSessionStoreOptions): Promise<SessionStore> {
  const workspace = resolve(options.workspace);
  const database = resolveSessionDatabase({ workspace, database: options.database });
  const redactor = options.redactor ?? createSecretsRedactor();
  const serde = createRedactingSerializer(redactor);
  // The PostgreSQL client and its checkpointer are loaded only for a PostgreSQL database: every `herd` command that
  // opens the sessions (`herd sessions`, `herd undo`) would otherwise load them.
  const backend =
    database.kind === 'sqlite'
      ? openSqliteSessionBackend(database.path, serde)
      : await (await import('./postgres-session-backend.js')).openPostgresSessionBackend(
          database.connectionString,
          serde,
        );
  return sessionStoreOver({ backend, workspace, redactor });
}

function sessionStoreOver({
  backend,
  workspace,
  redactor,
}: {
  backend: SessionBackend;
  workspace: string;
  redactor: SecretRedactor;
}): SessionStore {
  let lastTimestamp = 0;
  // Strictly increasing within this process, so "most recently updated" is well defined for quick successive writes.
  const now = () => {
    lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
    return new Date(lastTimestamp).toISOString();
  };
  const stored = (value: unknown, id: string): SessionRecord => {
    const parsed = SessionRecordSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new SystemError({
      code: 'session_record_invalid',
      message: `The stored record of session '${id}' in ${backend.location} is unreadable (${parsed.error.issues[0]?.message ?? 'invalid'}); delete the session or repair the herd_sessions row.`,
    });
  };
  const valid = (record: SessionRecord): SessionRecord => {
    const parsed = SessionRecordSchema.safeParse(record);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new UserError({
      code: 'session_invalid',
      message: `Session field '${issue?.path.join('.') ?? ''}' is invalid (${issue?.message ?? 'invalid'}); pass a non-empty id, a task string and a known status.`,
    });
  };

  return {
    kind: backend.kind,
    location: backend.location,
    checkpointer: backend.checkpointer,
    async record(input) {
      const timestamp = now();
      const record = valid({
        id: input.id ?? randomUUID(),
        task: redactor.redact(input.task),
        status: input.status ?? 'running',
        workspace,
        planId: input.planId ?? null,
        lastCompletedStep: null,
        createdAt: timestamp,
        updatedAt: timestamp,
      });
      if (!(await backend.insert(record))) {
        throw new UserError({
          code: 'session_exists',
          message: `Session '${record.id}' is already recorded in ${backend.location}; resume it or record the new session under another id.`,
        });
      }
      return record;
    },
    async update(input) {
      const current = await backend.find(input.id);
      if (current === undefined) throw notFound(input.id, backend.location);
      const { id, ...changes } = input;
      const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
      const record = valid({ ...stored(current, id), ...defined, updatedAt: now() });
      if (!(await backend.replace(record))) throw notFound(id, backend.location);
      return record;
    },
    async get(id) {
      const found = await backend.find(id);
      return found === undefined ? undefined : stored(found, id);
    },
    async list(options = {}) {
      const { limit } = options;
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
        throw new UserError({
          code: 'session_list_invalid',
          message: `Session list limit ${limit} is not a positive whole number; pass one such as 20, or leave it out to list every session.`,
        });
      }
      const rows = await backend.select(options);
      return rows.map((row) => stored(row, idOf(row)));
    },
    async delete(id) {
      const removed = await backend.remove(id);
      await backend.checkpointer.deleteThread(id);
      return removed;
    },
    threadConfig: (id) => ({ configurable: { thread_id: id } }),
    close: () => backend.close(),
  };
}

function notFound(id: string, location: string): UserError {
  return new UserError({
    code: 'session_not_found',
    message: `No session '${id}' is recorded in ${location}; run \`herd sessions\` to see the recorded ids.`,
  });
}

function idOf(row: unknown): string {
  const id = typeof row === 'object' && row !== null ? (row as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : '(unknown)';
}
