import { HerdError } from '@herd/core';
import type { RestoreResult, UndoConflictError } from '@herd/tools';
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
 * Carries out `/undo` in an editor session: restores the files Herd changed in the session's latest run that
 * changed something and was not undone yet (or since one step of it) as they were before, and says what changed;
 * files a person changed and Herd never touched stay. A file Herd changed that was edited again since is only
 * overwritten when `confirmOverwrite` (the editor's permission question) says so; otherwise nothing is undone.
 * Each `/undo` goes one run further back; the state before the restore is kept as a checkpoint of its own.
 *
 * @throws {HerdError} when the restore cannot run (e.g. `workspace_busy` while another session acts).
 */
export async function undoSessionChange(options: {
  herd: Herd;
  record: AcpSessionRecord;
  target: UndoTarget;
  /** Asked when files Herd changed were changed again since; true overwrites them. Default: never. */
  confirmOverwrite?: (conflict: UndoConflictError) => Promise<boolean>;
}): Promise<string> {
  const { herd, record, target } = options;
  const candidates = record.runs.filter((run) => !record.undoneRuns.includes(run.runId)).reverse();
  for (const { runId, changed: runChanged } of candidates) {
    // A run known to have changed nothing is passed over for the one before it; there is nothing of it to undo.
    if (!target.step && runChanged === false) {
      record.undoneRuns.push(runId);
      continue;
    }
    const undo = (force: boolean) =>
      herd.undo({ sessionId: runId, force, ...(target.step ? { step: target.step } : {}) });
    let restored: RestoreResult;
    try {
      restored = await undo(false);
    } catch (error) {
      const found = HerdError.find(error);
      // A run that changed nothing (or has no such step) is passed over for the one before it.
      if (found?.code === 'undo_unavailable') continue;
      if (found?.code !== 'undo_conflict') throw error;
      const conflict = found as UndoConflictError;
      if (!(await options.confirmOverwrite?.(conflict))) return keptEdits(conflict);
      restored = await undo(true);
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

function keptEdits(conflict: UndoConflictError): string {
  const shown = conflict.paths.slice(0, listedPaths).map((path) => `- \`${path}\``);
  if (conflict.paths.length > shown.length)
    shown.push(`- … and ${conflict.paths.length - shown.length} more`);
  return [
    'Nothing was undone: these files Herd changed were edited again since, and undoing would overwrite those edits:',
    ...shown,
    '',
    '`/undo` again and allow it when asked to restore them anyway.',
  ].join('\n');
}

function describe(options: { runId: string; target: UndoTarget; restored: RestoreResult }): string {
  const { runId, target, restored } = options;
  const what = target.step ? `step \`${target.step}\` of run ${runId}` : `run ${runId}`;
  const overwritten = new Set(restored.conflicts);
  const changes = [
    ...restored.restored.map(
      (path) => `- \`${path}\` restored${overwritten.has(path) ? ' (your later edit was overwritten)' : ''}`,
    ),
    ...restored.removed.map((path) => `- \`${path}\` removed`),
    ...restored.kept.map(
      (path) =>
        `- \`${path}\` not restored: a folder of other files is there now, which restoring would delete`,
    ),
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
