import type { RunnableConfig } from '@langchain/core/runnables';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { SessionRecord, SessionStatus } from './session-record.js';

/** What to record about a new session. */
export interface RecordSessionInput {
  /** Session id, used as the LangGraph `thread_id`; a random UUID when absent. */
  id?: string;
  /** The task as the user gave it. */
  task: string;
  /** Where the session stands; `running` when absent. */
  status?: SessionStatus;
  /** Id of the approved plan, when there already is one. */
  planId?: string | null;
}

/** A change to a recorded session; fields left out keep their value. */
export interface UpdateSessionInput {
  /** The session to change. */
  id: string;
  /** New status. */
  status?: SessionStatus;
  /** Id of the approved plan being acted on. */
  planId?: string | null;
  /** Id of the last plan step that finished. */
  lastCompletedStep?: string | null;
}

/** Which sessions {@link SessionStore.list} returns. */
export interface ListSessionsOptions {
  /** Only sessions in one of these statuses. */
  statuses?: readonly SessionStatus[];
  /** Only sessions of this workspace (useful on a PostgreSQL database shared by several workspaces). */
  workspace?: string;
  /** At most this many, most recently updated first. */
  limit?: number;
}

/**
 * Persistence of Herd runs: a LangGraph checkpointer for the run graph's state, plus the session records that
 * `herd sessions` lists and `herd resume` continues. A session's id is its LangGraph `thread_id`.
 */
export interface SessionStore {
  /** Which database backs the store. */
  readonly kind: 'sqlite' | 'postgres';
  /** The SQLite file path, or the PostgreSQL connection string with its password redacted. */
  readonly location: string;
  /** The LangGraph checkpointer; pass it to `StateGraph.compile({ checkpointer })` or `createAgent({ checkpointer })`. */
  readonly checkpointer: BaseCheckpointSaver;
  /**
   * Records a new session; the workspace is the store's.
   * @throws UserError (`session_exists`) when a session with that id is already recorded.
   */
  record(input: RecordSessionInput): Promise<SessionRecord>;
  /**
   * Changes a recorded session and stamps its update time.
   * @throws UserError (`session_not_found`) when no session has that id.
   */
  update(input: UpdateSessionInput): Promise<SessionRecord>;
  /** The session with that id, or undefined. */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Sessions, most recently updated first. */
  list(options?: ListSessionsOptions): Promise<SessionRecord[]>;
  /** Forgets a session and deletes its checkpoints; false when there was no such session. */
  delete(id: string): Promise<boolean>;
  /** The LangGraph config that addresses a session's checkpoints: `{ configurable: { thread_id: id } }`. */
  threadConfig(id: string): RunnableConfig;
  /** Closes the database connection; the store cannot be used afterwards. Safe to call twice. */
  close(): Promise<void>;
}
