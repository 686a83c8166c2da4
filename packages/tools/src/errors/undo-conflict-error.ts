import { UserError } from '@herd/core';

/** Paths named in full in the message; the rest are counted. */
const named = 10;

/**
 * An undo would overwrite files someone changed after Herd changed them, so nothing was restored. `paths` lists
 * them; the caller asks a person (or, headless, stops) and restores them anyway only when told to.
 */
export class UndoConflictError extends UserError {
  /** Workspace-relative paths changed since Herd changed them. */
  readonly paths: readonly string[];
  /** The checkpoint the undo was going back to. */
  readonly checkpoint: string;

  constructor(options: { paths: readonly string[]; checkpoint: string; unrecorded?: boolean }) {
    const shown = options.paths.slice(0, named).map((file) => JSON.stringify(file));
    const more = options.paths.length - shown.length;
    const list = `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
    const count = options.paths.length === 1 ? 'a file' : `${options.paths.length} files`;
    super({
      code: 'undo_conflict',
      message: options.unrecorded
        ? `Nothing was undone: this run was recorded by an earlier Herd, which did not note which files it changed, so the ${options.paths.length === 1 ? 'file' : count} changed since (${list}) may hold edits of yours.`
        : `Nothing was undone: ${count} Herd changed ${options.paths.length === 1 ? 'was' : 'were'} changed again since (${list}), and undoing would overwrite those edits.`,
      hint: 'Undo with --force (in an editor: allow it when asked) to restore them anyway, or save those edits elsewhere first.',
    });
    this.paths = [...options.paths];
    this.checkpoint = options.checkpoint;
  }
}
