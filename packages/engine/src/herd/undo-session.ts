import { UserError } from '@herd/core';
import type { RestoreResult } from '@herd/tools';
import type { RunStateValue } from '../run/run-state.js';
import type { HerdResources } from './open-herd-resources.js';
import { acquireWorkspaceRunLock } from './workspace-run-lock.js';

/**
 * Restores the files a session changed since before one of its steps (or before the whole run), holding the
 * workspace while it does so that no run changes files under it.
 *
 * @throws {UserError} `undo_unavailable` when the session has no such checkpoint.
 */
export async function undoSession(
  opened: HerdResources,
  options: { workspace: string; sessionId: string; step?: string | undefined; force: boolean },
): Promise<RestoreResult> {
  const { sessionId, step } = options;
  const tuple = await opened.sessions.checkpointer.getTuple(opened.sessions.threadConfig(sessionId));
  const values = (tuple?.checkpoint.channel_values ?? {}) as Partial<RunStateValue>;
  const checkpointId = step ? values.stepCheckpoints?.[step] : values.runCheckpoint;
  if (!checkpointId || !opened.tools.checkpoints) {
    throw new UserError({
      code: 'undo_unavailable',
      message: step
        ? `Session '${sessionId}' has no checkpoint before step '${step}'; \`herd sessions\` shows its steps.`
        : `Session '${sessionId}' changed nothing yet, so there is nothing to undo.`,
    });
  }
  const lock = acquireWorkspaceRunLock({ workspace: options.workspace, sessionId, purpose: 'undo' });
  try {
    return await opened.tools.checkpoints.restore(checkpointId, {
      scope: 'herd-changes',
      force: options.force,
    });
  } finally {
    lock.release();
  }
}
