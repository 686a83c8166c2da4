import { randomUUID } from 'node:crypto';
import { lstat, readdir, realpath, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { UndoConflictError } from '../errors/undo-conflict-error.js';
import type { RawChange, UndoPlan } from './herd-changes.js';
import type { ShadowRepository } from './shadow-repository.js';

/** What {@link restorePaths} did. */
export interface RestoredPaths {
  /** Files written back as they were at the checkpoint. */
  restored: string[];
  /** Files removed because they did not exist at the checkpoint. */
  removed: string[];
  /** Files someone else had changed since Herd did, restored because the restore was forced. */
  conflicts: string[];
  /** Files not brought back because a folder holding other files now stands where they were. */
  kept: string[];
}

/**
 * Brings the planned paths back as they were at the checkpoint: files that did not exist then are removed (never
 * through a directory that now leads outside the workspace), the others written from the checkpoint through a
 * scratch index, so the shadow index keeps describing the working tree.
 *
 * @throws UndoConflictError when the plan has conflicts (or a file would come back where a directory now is) and
 *   the restore is not forced; nothing is changed then. Forced, a file whose place a directory holding other files
 *   took is still not written (it would delete them): it is reported as kept.
 */
export async function restorePaths(options: {
  shadow: ShadowRepository;
  workspace: string;
  directory: string;
  checkpoint: string;
  /** The raw diff from the checkpoint to the working tree now. */
  changes: readonly RawChange[];
  plan: UndoPlan;
  force: boolean;
  /** The conflicts are every changed file, as an older Herd kept no record of its own changes. */
  unrecorded?: boolean;
}): Promise<RestoredPaths> {
  const { shadow, workspace, checkpoint, plan, force } = options;
  const atCheckpoint = new Map(options.changes.map((change) => [change.path, change.before]));
  const targets = [...plan.restore, ...plan.conflicts];
  const toRemove = targets.filter((file) => atCheckpoint.get(file) === undefined);
  const toWrite = targets.filter((file) => atCheckpoint.get(file) !== undefined);
  const removing = new Set(toRemove);
  // Writing a file where a directory now is would delete whatever else is in it: files Herd never wrote. Such a
  // path is named as a conflict, and never written, even when forced.
  const blocked: string[] = [];
  for (const file of toWrite) {
    if (await holdsOtherFiles(path.join(workspace, file), file, removing)) blocked.push(file);
  }
  const conflicts = [...plan.conflicts, ...blocked.filter((file) => !plan.conflicts.includes(file))];
  if (conflicts.length > 0 && !force) {
    throw new UndoConflictError({ paths: conflicts, checkpoint, unrecorded: options.unrecorded === true });
  }
  const writing = toWrite.filter((file) => !blocked.includes(file));

  const root = await realpath(workspace);
  const removed: string[] = [];
  for (const file of toRemove) {
    const absolute = path.join(root, file);
    if (!(await parentInside(root, absolute))) continue;
    await rm(absolute, { force: true });
    await removeEmptyParents(root, absolute);
    removed.push(file);
  }
  if (writing.length > 0) {
    const index = path.join(options.directory, `restore-index-${randomUUID()}`);
    try {
      await shadow.git(['read-tree', checkpoint], { index });
      await shadow.git(['checkout-index', '--force', '-z', '--stdin'], {
        index,
        input: `${writing.join('\0')}\0`,
      });
    } finally {
      await rm(index, { force: true });
    }
  }
  return {
    restored: writing,
    removed,
    conflicts: conflicts.filter((file) => !blocked.includes(file)),
    kept: blocked,
  };
}

/** True when `absolute` is a directory holding something that is not about to be removed. */
async function holdsOtherFiles(
  absolute: string,
  relative: string,
  removing: ReadonlySet<string>,
): Promise<boolean> {
  const stats = await lstat(absolute).catch(() => undefined);
  if (!stats?.isDirectory()) return false;
  const entries = await readdir(absolute, { recursive: true }).catch(() => [] as string[]);
  for (const entry of entries) {
    const inside = `${relative}/${entry.split(path.sep).join('/')}`;
    if (removing.has(inside)) continue;
    if (!(await lstat(path.join(absolute, entry)).catch(() => undefined))?.isDirectory()) return true;
  }
  return false;
}

/** True when the file's directory really is inside the workspace (no link in its path leads out). */
async function parentInside(root: string, absolute: string): Promise<boolean> {
  try {
    const parent = await realpath(path.dirname(absolute));
    return parent === root || parent.startsWith(`${root}${path.sep}`);
  } catch {
    return false;
  }
}

async function removeEmptyParents(root: string, file: string): Promise<void> {
  let current = path.dirname(file);
  while (current.startsWith(`${root}${path.sep}`)) {
    const entries = await readdir(current).catch(() => ['?']);
    if (entries.length > 0) return;
    await rmdir(current).catch(() => {});
    current = path.dirname(current);
  }
}
