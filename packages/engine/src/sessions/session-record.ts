import { z } from 'zod';

/**
 * Where a session stands. `running` and `awaiting_approval` can be resumed; the others are final.
 * A process killed mid-run leaves its session `running`: `herd resume` continues it from the last checkpoint.
 */
export const SessionStatusSchema = z.enum([
  'running',
  'awaiting_approval',
  'completed',
  'failed',
  'cancelled',
]);

/** Where a session stands. */
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

/** The statuses a session can be resumed from. */
export const resumableSessionStatuses: readonly SessionStatus[] = ['running', 'awaiting_approval'];

/**
 * What Herd keeps about a session beside its LangGraph checkpoints: the rows `herd sessions` lists and `herd resume`
 * picks from. The session id is also the LangGraph `thread_id` of the run's checkpoints.
 */
export const SessionRecordSchema = z.object({
  /** Session id, equal to the LangGraph `thread_id`. */
  id: z.string().min(1),
  /** The task as the user gave it. */
  task: z.string(),
  /** Where the session stands. */
  status: SessionStatusSchema,
  /** Absolute path of the workspace the session works on. */
  workspace: z.string(),
  /** Id of the approved plan being acted on, once there is one. */
  planId: z.string().nullable().default(null),
  /** Id of the last plan step that finished, e.g. `step-2`; null before the first one finishes. */
  lastCompletedStep: z.string().nullable().default(null),
  /** When the session was recorded, as an ISO 8601 UTC timestamp. */
  createdAt: z.iso.datetime(),
  /** When the session last changed, as an ISO 8601 UTC timestamp. */
  updatedAt: z.iso.datetime(),
});

/** What Herd keeps about a session beside its checkpoints. */
export type SessionRecord = z.infer<typeof SessionRecordSchema>;
