import { UserError } from '@herd/core';
import { resumableSessionStatuses, type SessionRecord } from './session-record.js';
import type { SessionStore } from './session-store.js';

/** Options for {@link findResumableSession}. */
export interface FindResumableSessionOptions {
  /** The store to look in. */
  store: SessionStore;
  /** The session the user named; the most recently updated resumable session of the store's workspace when absent. */
  id?: string | undefined;
  /** Only consider sessions of this workspace when no id is given (a PostgreSQL database may hold several). */
  workspace?: string | undefined;
}

/**
 * Picks the session `herd resume [session]` continues: the named one, or else the most recently updated one that is
 * `running` (its process was killed or stopped) or `awaiting_approval`.
 *
 * @throws UserError (`session_not_found`) when the named session is not recorded.
 * @throws UserError (`session_not_resumable`) when it has finished, or when no id is given and none can be resumed.
 * @example
 * const session = await findResumableSession({ store, id: argument });
 * await graph.invoke(null, store.threadConfig(session.id));
 */
export async function findResumableSession(options: FindResumableSessionOptions): Promise<SessionRecord> {
  const { store, id, workspace } = options;
  if (id === undefined) {
    const [latest] = await store.list({
      statuses: resumableSessionStatuses,
      limit: 1,
      ...(workspace ? { workspace } : {}),
    });
    if (latest !== undefined) return latest;
    throw new UserError({
      code: 'session_not_resumable',
      message: `No session in ${store.location} is running or awaiting approval; start one with \`herd run "task"\`, or run \`herd sessions\` to see finished ones.`,
    });
  }
  const session = await store.get(id);
  if (session === undefined) {
    throw new UserError({
      code: 'session_not_found',
      message: `No session '${id}' is recorded in ${store.location}; run \`herd sessions\` to see the recorded ids.`,
    });
  }
  if (!resumableSessionStatuses.includes(session.status)) {
    throw new UserError({
      code: 'session_not_resumable',
      message: `Session '${id}' is ${session.status} and cannot be resumed; start a new run with \`herd run "task"\`.`,
    });
  }
  return session;
}
