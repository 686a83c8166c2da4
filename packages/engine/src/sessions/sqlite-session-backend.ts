import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SystemError } from '@herd/core';
import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import Database from 'better-sqlite3';
import type { SessionBackend, SessionSelection } from './session-backend.js';
import type { SessionRecord } from './session-record.js';

const schema = `
CREATE TABLE IF NOT EXISTS herd_sessions (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  workspace TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS herd_sessions_by_update ON herd_sessions (updated_at DESC);
`;

/**
 * Opens (creating it and its folder if needed) the SQLite session database at `path`, in WAL mode so that a process
 * killed at any instant leaves a consistent file, with the LangGraph checkpoint tables and Herd's `herd_sessions` table.
 * The checkpointer writes through `serde` (Herd passes one that redacts secrets).
 *
 * @throws SystemError (`session_database_unavailable`) when the file cannot be created or opened, naming it.
 */
export function openSqliteSessionBackend(path: string, serde?: SerializerProtocol): SessionBackend {
  let database: Database.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    // Waits up to 5 s for a lock held by another herd process (e.g. `herd sessions` during a run) instead of failing.
    database = new Database(path, { timeout: 5_000 });
  } catch (error) {
    throw unavailable(path, error);
  }
  try {
    database.pragma('journal_mode = WAL');
    database.exec(schema);
  } catch (error) {
    database.close();
    throw unavailable(path, error);
  }
  const checkpointer = new SqliteSaver(database, serde);
  const statements = {
    insert: database.prepare(
      'INSERT INTO herd_sessions (id, status, workspace, updated_at, record) VALUES (@id, @status, @workspace, @updatedAt, @record) ON CONFLICT (id) DO NOTHING',
    ),
    replace: database.prepare(
      'UPDATE herd_sessions SET status = @status, workspace = @workspace, updated_at = @updatedAt, record = @record WHERE id = @id',
    ),
    find: database.prepare<[string], { record: string }>('SELECT record FROM herd_sessions WHERE id = ?'),
    remove: database.prepare<[string]>('DELETE FROM herd_sessions WHERE id = ?'),
  };
  const row = (record: SessionRecord) => ({
    id: record.id,
    status: record.status,
    workspace: record.workspace,
    updatedAt: record.updatedAt,
    record: JSON.stringify(record),
  });
  let open = true;

  return {
    kind: 'sqlite',
    location: path,
    checkpointer,
    insert: async (record) => statements.insert.run(row(record)).changes === 1,
    replace: async (record) => statements.replace.run(row(record)).changes === 1,
    find: async (id) => {
      const found = statements.find.get(id);
      return found === undefined ? undefined : JSON.parse(found.record);
    },
    select: async (selection) => {
      const { sql, parameters } = selectQuery(selection);
      const rows = database.prepare<unknown[], { record: string }>(sql).all(...parameters);
      return rows.map((found) => JSON.parse(found.record));
    },
    remove: async (id) => statements.remove.run(id).changes === 1,
    close: async () => {
      if (!open) return;
      open = false;
      database.close();
    },
  };
}

function selectQuery(selection: SessionSelection): { sql: string; parameters: unknown[] } {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  if (selection.statuses !== undefined && selection.statuses.length > 0) {
    conditions.push(`status IN (${selection.statuses.map(() => '?').join(', ')})`);
    parameters.push(...selection.statuses);
  }
  if (selection.workspace !== undefined) {
    conditions.push('workspace = ?');
    parameters.push(selection.workspace);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  // rowid breaks ties between sessions updated in the same millisecond: the later insert counts as newer.
  let sql = `SELECT record FROM herd_sessions ${where} ORDER BY updated_at DESC, rowid DESC`;
  if (selection.limit !== undefined) {
    sql += ' LIMIT ?';
    parameters.push(selection.limit);
  }
  return { sql, parameters };
}

function unavailable(path: string, cause: unknown): SystemError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SystemError({
    code: 'session_database_unavailable',
    message: `Could not open the session database ${path} (${reason}); make its folder writable, or move a damaged file aside so Herd creates a new one.`,
    cause,
  });
}
