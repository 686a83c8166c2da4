import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { SessionRecord, SessionStatus } from './session-record.js';

/** A filter for {@link SessionBackend.select}. */
export interface SessionSelection {
  /** Only these statuses; all when absent or empty. */
  statuses?: readonly SessionStatus[] | undefined;
  /** Only this workspace. */
  workspace?: string | undefined;
  /** At most this many rows. */
  limit?: number | undefined;
}

/**
 * The storage a {@link SessionStore} runs on: a checkpointer and a table of session records in the same database.
 * Records go in and come out whole; the store validates them.
 */
export interface SessionBackend {
  /** Which database this is. */
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, safe to print. */
  readonly location: string;
  /** The LangGraph checkpointer on the same database. */
  readonly checkpointer: BaseCheckpointSaver;
  /** Adds a record; false when its id is taken. */
  insert(record: SessionRecord): Promise<boolean>;
  /** Replaces the record with the same id; false when there is none. */
  replace(record: SessionRecord): Promise<boolean>;
  /** The stored record with that id, unvalidated. */
  find(id: string): Promise<unknown>;
  /** Stored records, most recently updated first, unvalidated. */
  select(selection: SessionSelection): Promise<unknown[]>;
  /** Removes a record; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** Closes the connection. */
  close(): Promise<void>;
}
