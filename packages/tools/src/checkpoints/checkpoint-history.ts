import { UserError } from '@herd/core';
import type { Checkpoint } from './checkpoint-store.js';
import { type ChangeRecord, parseRawDiff, type RawChange } from './herd-changes.js';
import type { ShadowRepository } from './shadow-repository.js';

/** The ref whose history holds the checkpoints of a workspace, newest first. */
export const reference = 'refs/herd/checkpoints';
const separator = '\u001f';
const changeMarker = 'herd-change-since ';
/** Set once in a store's config: `none`, or the newest checkpoint a Herd without change records had taken. */
export const recordsBeganKey = 'herd.recordsBeganAfter';

/** A checkpoint as the history records it. */
export type RecordedCheckpoint = Checkpoint & {
  /** For the snapshot taken when one of Herd's changes ended: the checkpoint taken before it began. */
  since?: string;
};

/** Reading and writing the linear history of checkpoints in the shadow repository. */
export interface CheckpointHistory {
  /** The newest checkpoint with its tree (no git call for one seen before), or undefined before the first. */
  tip(): Promise<(Checkpoint & { tree: string }) | undefined>;
  /** True for a checkpoint this store took or found at the ref's tip (no git call): one of this workspace. */
  isSeen(id: string): boolean;
  /** A checkpoint's tree. */
  treeOf(commit: string): Promise<string | undefined>;
  /** Commits a tree on top of `parent` and moves the ref; `since` marks it as the end of a change Herd made. */
  commit(tree: string, label: string, parent: string | undefined, since?: string): Promise<Checkpoint>;
  /** Checkpoints from `start` back, newest first. */
  listFrom(start: string, limit?: number): Promise<RecordedCheckpoint[]>;
  /**
   * The full id of a checkpoint of this workspace.
   *
   * @throws UserError `checkpoint_unknown` for anything else.
   */
  verify(id: string): Promise<string>;
  /** What differs between two snapshots, path by path. */
  rawDiff(from: string, to: string): Promise<RawChange[]>;
  /** Herd's change records after a checkpoint, oldest first; one that began before it counts from it. */
  recordsSince(checkpoint: string): Promise<ChangeRecord[]>;
  /**
   * True for a checkpoint taken by a Herd from before change records (the store was kept by it), whose later
   * changes cannot be told apart from anyone else's.
   */
  predatesRecords(checkpoint: string): Promise<boolean>;
}

/** Creates the {@link CheckpointHistory} of a shadow repository. */
export function createCheckpointHistory(shadow: ShadowRepository): CheckpointHistory {
  const { git } = shadow;
  // The checkpoints seen here, by id (a commit never changes): the tip is looked up by the id its ref holds, and
  // recordChange compares with its `since` without asking git.
  const seen = new Map<string, Checkpoint & { tree: string }>();
  const remember = (output: string) => {
    const [id = '', tree = '', label = '', createdAt = ''] = output.trim().split(separator);
    if (!id || !tree) return undefined;
    const checkpoint = { id, tree, label, createdAt: createdAt.trim() };
    seen.set(id, checkpoint);
    return checkpoint;
  };
  const tip = async (): Promise<(Checkpoint & { tree: string }) | undefined> => {
    const id = await shadow.readTip();
    if (id === null) return undefined;
    const known = id && seen.get(id);
    if (known) return { ...known };
    const output = await git(['log', '-1', '--format=%H%x1f%T%x1f%B', id ?? reference]).catch(() => '');
    return remember(output);
  };
  const treeOf = async (commit: string): Promise<string | undefined> =>
    seen.get(commit)?.tree ??
    git(['rev-parse', '--verify', '--quiet', `${commit}^{tree}`]).then(
      (output) => output.trim() || undefined,
      () => undefined,
    );

  const commit = async (tree: string, label: string, parent: string | undefined, since?: string) => {
    const createdAt = new Date().toISOString();
    const message = [label, createdAt, ...(since ? [`${changeMarker}${since}`] : [])].join(separator);
    const id = (await git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message])).trim();
    await shadow.writeTip(id);
    // Remembered as `git log` would print it.
    remember([id, tree, `${message}\n`].join(separator));
    return { id, label, createdAt };
  };

  const listFrom = async (start: string, limit?: number): Promise<RecordedCheckpoint[]> => {
    const output = await git(['log', '--format=%H%x1f%B%x1e', ...(limit ? [`-${limit}`] : []), start]);
    return parseLog(output);
  };

  const verify = async (id: string): Promise<string> => {
    if (!/^[0-9a-f]{7,40}$/.test(id)) {
      throw new UserError({
        code: 'checkpoint_unknown',
        message: `'${id.slice(0, 60)}' is not a checkpoint id; use an id from the checkpoint list.`,
      });
    }
    await shadow.ensure();
    const commit = await git(['rev-parse', '--verify', '--quiet', `${id}^{commit}`]).then(
      (output) => output.trim(),
      () => '',
    );
    const known = commit
      ? await git(['merge-base', '--is-ancestor', commit, reference]).then(
          () => true,
          () => false,
        )
      : false;
    if (!known) {
      throw new UserError({
        code: 'checkpoint_unknown',
        message: `There is no checkpoint '${id}' for this workspace; use an id from the checkpoint list.`,
      });
    }
    return commit;
  };

  const rawDiff = async (from: string, to: string) =>
    parseRawDiff(await git(['diff-tree', '-r', '-z', '--raw', '--no-renames', from, to]));

  const recordsSince = async (checkpoint: string): Promise<ChangeRecord[]> => {
    const later = parseLog(
      await git(['log', '--reverse', '--format=%H%x1f%B%x1e', `${checkpoint}..${reference}`]),
    );
    const inRange = new Set([checkpoint, ...later.map((entry) => entry.id)]);
    return later.flatMap((entry) =>
      entry.since ? [{ since: inRange.has(entry.since) ? entry.since : checkpoint, until: entry.id }] : [],
    );
  };

  const predatesRecords = async (checkpoint: string): Promise<boolean> => {
    const last = (await git(['config', '--get', recordsBeganKey]).catch(() => '')).trim();
    if (!/^[0-9a-f]{40}$/.test(last)) return false;
    return git(['merge-base', '--is-ancestor', checkpoint, last]).then(
      () => true,
      () => false,
    );
  };

  const isSeen = (id: string) => seen.has(id);

  return { tip, isSeen, treeOf, commit, listFrom, verify, rawDiff, recordsSince, predatesRecords };
}

/** Parses `git log --format=%H%x1f%B%x1e` of the store's commits. */
function parseLog(output: string): RecordedCheckpoint[] {
  return output
    .split('\u001e')
    .map((record) => record.trim())
    .filter(Boolean)
    .map((record) => {
      const [id = '', label = '', createdAt = '', marker = ''] = record.split(separator);
      const since = marker.startsWith(changeMarker) ? marker.slice(changeMarker.length).trim() : undefined;
      return { id, label, createdAt: createdAt.trim(), ...(since ? { since } : {}) };
    });
}
