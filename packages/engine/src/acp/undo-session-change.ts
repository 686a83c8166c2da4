import { HerdError } from '@herd/core';
import type { RestoreResult } from '@herd/tools';
import type { Herd } from '../herd/create-herd.js';
import type { AcpSessionRecord } from './acp-session-record.js';

/** What `/undo` asked for: the session's last change, or the state before one step of its last run. */
export interface UndoTarget {
  /** A step id (`step-2`, `fix-1`); undefined for the whole run. */
  step: string | undefined;
}

/** Reads `/undo [step-N|fix-N|run]` from a prompt's text; undefined when the prompt is not an undo. */
export function parseUndoCommand(text: string): UndoTarget | undefined {
  const match = /^\/undo(?:\s+(\S+))?\s*$/.exec(text.trim());
  if (!match) return undefined;
  const target = match[1];
  return { step: target === undefined || target === 'run' ? undefined : target };
}

// A restore may touch a whole tree; the editor is told the first files and how many more.
const listedPaths = 30;

/**
 * Carries out `/undo` in an editor session: restores the files as they were before the session's latest run
 * that changed something and was not undone yet (or before one step of it), and says what changed. Each `/undo`
 * goes one run further back; the state before the restore is kept as a checkpoint of its own.
 *
 * @throws {HerdError} when the restore cannot run (e.g. `workspace_busy` while another session acts).
 */
export async function undoSessionChange(options: {
  herd: Herd;
  record: AcpSessionRecord;
  target: UndoTarget;
}): Promise<string> {
  const { herd, record, target } = options;
  const candidates = record.runs.filter((run) => !record.undoneRuns.includes(run.runId)).reverse();
  for (const { runId, changed: runChanged } of candidates) {
    // A run known to have changed nothing is passed over for the one before it; there is nothing of it to undo.
    if (!target.step && runChanged === false) {
      record.undoneRuns.push(runId);
      continue;
    }
    let restored: RestoreResult;
    try {
      restored = await herd.undo({ sessionId: runId, ...(target.step ? { step: target.step } : {}) });
    } catch (error) {
      // A run that changed nothing (or has no such step) is passed over for the one before it.
      if (HerdError.find(error)?.code === 'undo_unavailable') continue;
      throw error;
    }
    // Undoing the whole run: it is undone whether or not files still differed (a person may have reverted them by
    // hand), so the next `/undo` goes one run further back, and never further than asked.
    if (!target.step) record.undoneRuns.push(runId);
    return describe({ runId, target, restored });
  }
  return target.step
    ? `Nothing to undo: no run of this session has a step \`${target.step}\` that can be restored.`
    : 'Nothing to undo: the runs of this session changed no files, or were undone already.';
}

function describe(options: { runId: string; target: UndoTarget; restored: RestoreResult }): string {
  const { runId, target, restored } = options;
  const what = target.step ? `step \`${target.step}\` of run ${runId}` : `run ${runId}`;
  const changes = [
    ...restored.restored.map((path) => `- \`${path}\` restored`),
    ...restored.removed.map((path) => `- \`${path}\` removed`),
  ];
  const shown = changes.slice(0, listedPaths);
  if (changes.length > shown.length) shown.push(`- … and ${changes.length - shown.length} more`);
  return [
    `Restored the files as they were before ${what}${changes.length === 0 ? ' (nothing differed)' : ':'}`,
    ...shown,
    '',
    `The state just before this undo is kept as checkpoint ${restored.previousId}. \`/undo\` again goes one run further back.`,
  ].join('\n');
}
