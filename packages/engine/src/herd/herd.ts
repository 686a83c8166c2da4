import type { HerdEvent } from '@herd/core';
import type { RestoreResult } from '@herd/tools';
import type { ApprovalDecision } from '../approvals/approval-request.js';
import type { TaskImage } from '../images/task-image.js';
import type { SessionRecord } from '../sessions/session-record.js';
import type { HerdRunResult } from './drive-run.js';

/** Options of one run. */
export interface HerdRunOptions {
  /** Cancels the run (the current model or tool call is aborted; the session can be resumed). */
  signal?: AbortSignal;
  /** Images that come with the task: file paths (relative to the workspace) or http(s) URLs. */
  images?: readonly TaskImage[];
}

/** A run in progress: its events as they happen, and its result. */
export interface HerdRun extends AsyncIterable<HerdEvent> {
  /** The session id (also the LangGraph thread id); `herd resume <id>` continues it. */
  readonly sessionId: string;
  /** Settles when the run ends or waits for approval; rejects only when the run could not start. */
  readonly result: Promise<HerdRunResult>;
}

/** Herd, as a library: plan, act, run, approve, undo, list sessions. */
export interface Herd {
  /**
   * Plans, asks for approval, acts, verifies. A run that may change files (`run`, `act`, `resume`) holds the
   * workspace while it lasts: a second one on the same workspace, in this process or another, fails with
   * `workspace_busy`. Planning alone runs beside it.
   */
  run(task: string, options?: HerdRunOptions): HerdRun;
  /** Packs the repository and proposes a plan; stops there. */
  plan(task: string, options?: HerdRunOptions): HerdRun;
  /** Acts on a saved plan (its latest version; a person's edit becomes a new version that needs approval). */
  act(planId: string, options?: { signal?: AbortSignal }): HerdRun;
  /** Continues a session that was killed or is waiting for approval. */
  resume(sessionId: string, options?: { signal?: AbortSignal }): HerdRun;
  /** Answers a pending approval request of a live run; false when no such request is waiting. */
  approve(requestId: string, decision: ApprovalDecision): boolean;
  /**
   * Restores the files Herd changed since before a step (or before the whole run when `step` is omitted) as they
   * were then; files nobody but a person touched are left as they are. Refused with `workspace_busy` while a run
   * is changing the workspace, and with `UndoConflictError` (`undo_conflict`, naming the files) when a file Herd
   * changed was changed again since, unless `force` is set.
   */
  undo(options: { sessionId: string; step?: string; force?: boolean }): Promise<RestoreResult>;
  /** Sessions of this workspace, most recent first. */
  sessions(): Promise<SessionRecord[]>;
  /** Releases models, databases and the classifier session. */
  close(): Promise<void>;
}

/** A run that failed before it could start: no events, and a rejected result. */
export function failedRun(error: Error): HerdRun {
  const result = Promise.reject(error);
  result.catch(() => {});
  return { sessionId: 'none', result, async *[Symbol.asyncIterator]() {} };
}
