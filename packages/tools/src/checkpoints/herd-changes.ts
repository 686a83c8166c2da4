/** A file's state in a snapshot: its mode and blob, or absent. */
export interface FileState {
  mode: string;
  object: string;
}

/** One line of `git diff-tree --raw -z`: a path and its state on each side (undefined: absent there). */
export interface RawChange {
  path: string;
  before: FileState | undefined;
  after: FileState | undefined;
}

const absentObject = /^0+$/;

/** Parses `git diff-tree -r -z --raw --no-renames` output. */
export function parseRawDiff(output: string): RawChange[] {
  const fields = output.split('\0');
  const changes: RawChange[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const header = fields[index]!;
    const file = fields[index + 1]!;
    if (!header.startsWith(':')) break;
    const [oldMode = '', newMode = '', oldObject = '', newObject = ''] = header.slice(1).split(' ');
    const state = (mode: string, object: string): FileState | undefined =>
      absentObject.test(object) || /^0+$/.test(mode) ? undefined : { mode, object };
    changes.push({ path: file, before: state(oldMode, oldObject), after: state(newMode, newObject) });
  }
  return changes;
}

/** True when two states are the same file content and mode (or both absent). */
export function sameState(one: FileState | undefined, other: FileState | undefined): boolean {
  return one?.mode === other?.mode && one?.object === other?.object;
}

/** A record that Herd changed the workspace between two snapshots. */
export interface ChangeRecord {
  /** The snapshot taken before the change (a tool call) began. */
  since: string;
  /** The snapshot taken when it ended. */
  until: string;
}

/**
 * What Herd's own changes (tool calls, restores) left each path as, in the order they were recorded: for every
 * path one of them changed, the state it left the path in last.
 *
 * @param records change records after the checkpoint, oldest first.
 * @param diff the raw diff between two snapshots.
 */
export async function lastStatesLeftByHerd(options: {
  records: readonly ChangeRecord[];
  diff: (from: string, to: string) => Promise<RawChange[]>;
}): Promise<Map<string, FileState | undefined>> {
  const left = new Map<string, FileState | undefined>();
  for (const record of options.records) {
    for (const change of await options.diff(record.since, record.until)) left.set(change.path, change.after);
  }
  return left;
}

/** How a path stands when undoing Herd's changes back to a checkpoint. */
export interface UndoPlan {
  /** Paths to bring back as they were at the checkpoint (Herd changed them, nobody else did since). */
  restore: string[];
  /** Paths Herd changed that someone changed again since: restored only when forced. */
  conflicts: string[];
}

/**
 * Decides, path by path, what an undo does: only paths Herd changed are candidates; one already as it was at the
 * checkpoint is left alone; one that is no longer as Herd left it was changed by someone else since (a conflict).
 *
 * @param sinceCheckpoint the raw diff from the checkpoint to the working tree now.
 * @param leftByHerd what Herd's changes left each path as ({@link lastStatesLeftByHerd}).
 */
export function planUndo(options: {
  sinceCheckpoint: readonly RawChange[];
  leftByHerd: ReadonlyMap<string, FileState | undefined>;
}): UndoPlan {
  const plan: UndoPlan = { restore: [], conflicts: [] };
  for (const change of options.sinceCheckpoint) {
    if (!options.leftByHerd.has(change.path)) continue;
    if (sameState(change.after, options.leftByHerd.get(change.path))) plan.restore.push(change.path);
    else plan.conflicts.push(change.path);
  }
  return plan;
}
