import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pg from 'pg';
import { postgresConnectionError } from './postgres-connection-error.js';
import { redactConnectionString } from './redact-connection-string.js';
import type { SessionBackend, SessionSelection } from './session-backend.js';
import type { SessionRecord } from './session-record.js';

const schema = `
CREATE TABLE IF NOT EXISTS herd_sessions (
  id text PRIMARY KEY,
  status text NOT NULL,
  workspace text NOT NULL,
  updated_at timestamptz NOT NULL,
  sequence bigserial NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS herd_sessions_by_update ON herd_sessions (updated_at DESC);
`;

// Serialises schema setup between herd processes that start at the same time against one database
// (concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog).
const setupLockKey = 0x4865_7264;

/**
 * Connects to the PostgreSQL session database, creates the LangGraph checkpoint tables (`PostgresSaver.setup()`) and
 * Herd's `herd_sessions` table if missing, and returns the backend over one connection pool. The checkpointer writes
 * through `serde` (Herd passes one that redacts secrets).
 *
 * @throws SystemError (`session_database_unreachable`) when the server cannot be reached, naming host and port.
 * @throws UserError (`session_database_rejected`) when it refuses the credentials or has no such database.
 */
export async function openPostgresSessionBackend(
  connectionString: string,
  serde?: SerializerProtocol,
): Promise<SessionBackend> {
  const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 10_000, max: 4 });
  // An idle pooled connection that the server drops emits 'error'; without a listener that would crash the
  // process. The next query reconnects or fails with an error that is reported there.
  pool.on('error', () => {});
  const fail = (error: unknown) => postgresConnectionError({ error, connectionString });
  const checkpointer = new PostgresSaver(pool, serde);
  try {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [setupLockKey]);
      try {
        await checkpointer.setup();
        await client.query(schema);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [setupLockKey]);
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw fail(error);
  }

  const query = async <TRow extends pg.QueryResultRow>(sql: string, values: unknown[]) => {
    try {
      return await pool.query<TRow>(sql, values);
    } catch (error) {
      throw fail(error);
    }
  };
  const row = (record: SessionRecord) => [
    record.id,
    record.status,
    record.workspace,
    record.updatedAt,
    JSON.stringify(record),
  ];
  let open = true;

  return {
    kind: 'postgres',
    location: redactConnectionString(connectionString),
    checkpointer,
    insert: async (record) => {
      const result = await query(
        'INSERT INTO herd_sessions (id, status, workspace, updated_at, record) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
        row(record),
      );
      return result.rowCount === 1;
    },
    replace: async (record) => {
      const result = await query(
        'UPDATE herd_sessions SET status = $2, workspace = $3, updated_at = $4, record = $5 WHERE id = $1',
        row(record),
      );
      return result.rowCount === 1;
    },
    find: async (id) => {
      const result = await query<{ record: unknown }>('SELECT record FROM herd_sessions WHERE id = $1', [id]);
      return result.rows[0]?.record;
    },
    select: async (selection) => {
      const { sql, values } = selectQuery(selection);
      const result = await query<{ record: unknown }>(sql, values);
      return result.rows.map((found) => found.record);
    },
    remove: async (id) => {
      const result = await query('DELETE FROM herd_sessions WHERE id = $1', [id]);
      return result.rowCount === 1;
    },
    close: async () => {
      if (!open) return;
      open = false;
      await pool.end();
    },
  };
}

function selectQuery(selection: SessionSelection): { sql: string; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (selection.statuses !== undefined && selection.statuses.length > 0) {
    values.push([...selection.statuses]);
    conditions.push(`status = ANY($${values.length})`);
  }
  if (selection.workspace !== undefined) {
    values.push(selection.workspace);
    conditions.push(`workspace = $${values.length}`);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  // sequence breaks ties between sessions updated in the same millisecond: the later insert counts as newer.
  let sql = `SELECT record FROM herd_sessions ${where} ORDER BY updated_at DESC, sequence DESC`;
  if (selection.limit !== undefined) {
    values.push(selection.limit);
    sql += ` LIMIT $${values.length}`;
  }
  return { sql, values };
}
