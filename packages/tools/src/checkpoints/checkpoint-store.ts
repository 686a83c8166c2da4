import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { defaultDenyGlobs } from '../jail/default-deny-globs.js';
import { assertStoreOutsideWorkspace } from './assert-store-outside-workspace.js';
import { createCheckpointHistory, reference } from './checkpoint-history.js';
import { diffSnapshotPaths } from './diff-snapshot-paths.js';
import { lastStatesLeftByHerd, planUndo, type UndoPlan } from './herd-changes.js';
import { restorePaths } from './restore-paths.js';
import { createShadowRepository } from './shadow-repository.js';

/** A snapshot of the working tree. */
export interface Checkpoint {
  /** Commit id in the shadow repository; pass it to `restore`. */
  id: string;
  /** What the checkpoint was taken before, e.g. `before write_file`. */
  label: string;
  /** ISO time it was taken. */
  createdAt: string;
}

/** What a restore changed. */
export interface RestoreResult {
  /** The checkpoint restored. */
  id: string;
  /** A checkpoint of the state just before the restore, so the restore itself can be undone. */
  previousId: string;
  /** Files written back (changed or deleted since the checkpoint). */
  restored: string[];
  /** Files removed because they did not exist at the checkpoint. */
  removed: string[];
  /**
   * Files Herd changed that were changed again since by someone else (scope `herd-changes`): restored too when
   * forced, otherwise the restore is refused with {@link UndoConflictError}.
   */
  conflicts: string[];
  /**
   * Files not brought back, even when forced, because a folder holding files Herd did not write now stands where
   * they were (restoring them would delete those files).
   */
  kept: string[];
}

/** Options for {@link CheckpointStore.restore}. */
export interface RestoreOptions {
  /**
   * `tree` (default): every non-ignored file goes back to the checkpoint. `herd-changes`: only the files Herd's
   * own changes (tool calls and restores recorded with `recordChange`) touched since the checkpoint; files
   * created or edited by anyone else are left as they are.
   */
  scope?: 'tree' | 'herd-changes';
  /** With `herd-changes`: also restore files someone changed after Herd did. Default false (refused). */
  force?: boolean;
}

/** One file that differs between a checkpoint and the working tree. */
export interface CheckpointChange {
  /** Workspace-relative path. */
  path: string;
  /** What happened to it since the checkpoint. */
  change: 'create' | 'modify' | 'delete';
  /** Unified diff from the checkpoint to now (`Binary files … differ` for binary files). */
  diff: string;
}

/** Snapshots of a workspace in a shadow git repository. */
export interface CheckpointStore {
  /** The shadow repository's directory. */
  readonly directory: string;
  /** Snapshots the working tree (ignored and denied files excluded); an unchanged tree reuses the last checkpoint. */
  create(options: { label: string }): Promise<Checkpoint>;
  /** Checkpoints, newest first. */
  list(): Promise<Checkpoint[]>;
  /** The files that differ between a checkpoint and the working tree now, with diffs (at most `limit`, default 200). */
  changes(options: { since: string; limit?: number }): Promise<CheckpointChange[]>;
  /**
   * Snapshots the working tree when Herd finished changing it (a write or exec tool call that began at checkpoint
   * `since`), and records the files changed in between as Herd's own, for `restore` with scope `herd-changes`.
   */
  recordChange(options: { since: string; label: string }): Promise<void>;
  /**
   * Brings files back exactly as they were at the checkpoint, including deleted and new files: all of them, or only
   * those Herd changed (see {@link RestoreOptions}).
   *
   * @throws UndoConflictError naming the files changed by someone else since Herd changed them (scope
   *   `herd-changes`, not forced).
   */
  restore(id: string, options?: RestoreOptions): Promise<RestoreResult>;
}

/** Options for {@link createCheckpointStore}. */
export interface CheckpointStoreOptions {
  /** The workspace root (real path). */
  workspace: string;
  /**
   * Directory of the shadow repository; it must lie outside the workspace. Default:
   * `$XDG_CACHE_HOME/herd/checkpoints/<hash of workspace>`.
   */
  directory?: string | undefined;
  /**
   * Files never copied into the store, by workspace-relative path: pass the jail's `deniedBy` so what tools may not
   * read is not kept in the user's cache either. Default: {@link defaultDenyGlobs}, any letter case.
   */
  isDenied?: (relativePath: string) => boolean;
}

/** Where checkpoints of a workspace are kept by default: a folder per workspace in the user's cache. */
export function defaultCheckpointDirectory(workspace: string): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  const key = createHash('sha256').update(workspace).digest('hex').slice(0, 16);
  return path.join(cache, 'herd', 'checkpoints', key);
}

/**
 * Creates the checkpoint store: a shadow git repository outside the user's `.git` (its own GIT_DIR and index,
 * GIT_WORK_TREE = the workspace), so the user's branch, index and stash are never touched. Denied files (secrets)
 * are never copied into it; a lock a killed git left in it is cleared. Only its owner can read it.
 *
 * @throws ConfigError `checkpoint_directory_in_workspace` when the directory lies inside the workspace, where the
 *   model could rewrite the repository's configuration.
 * @example
 * const checkpoints = createCheckpointStore({ workspace: jail.root, isDenied: (file) => !!jail.deniedBy(file) });
 * const { id } = await checkpoints.create({ label: 'before edit' });
 * await checkpoints.restore(id);
 */
export function createCheckpointStore(options: CheckpointStoreOptions): CheckpointStore {
  const workspace = options.workspace;
  const directory = path.resolve(options.directory ?? defaultCheckpointDirectory(workspace));
  assertStoreOutsideWorkspace({ workspace, directory, configured: options.directory !== undefined });
  const shadow = createShadowRepository({
    workspace,
    directory,
    isDenied: options.isDenied ?? isDeniedByDefault,
  });
  const { git } = shadow;
  let queue: Promise<unknown> = Promise.resolve();
  // One git operation at a time: concurrent tool calls must not race on the shadow index.
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  const { tip, isSeen, treeOf, commit, listFrom, verify, rawDiff, recordsSince, predatesRecords } =
    createCheckpointHistory(shadow);

  const snapshot = async (label: string): Promise<Checkpoint> => {
    const tree = await shadow.writeTree();
    const last = await tip();
    if (last?.tree === tree) {
      return { id: last.id, label: last.label, createdAt: last.createdAt };
    }
    return commit(tree, label, last?.id);
  };

  const recordChange = async (since: string, label: string): Promise<void> => {
    const before = await treeOf(since);
    const tree = await shadow.writeTree();
    if (before !== undefined && before !== tree) await commit(tree, label, (await tip())?.id, since);
  };

  return {
    directory,
    changes: ({ since, limit = 200 }) =>
      serialized(async () => {
        // A checkpoint this store took itself needs no looking up (a run asks for its own step's changes).
        const commit = isSeen(since) ? since : await verify(since);
        const tree = await shadow.writeTree();
        // The same tree as the checkpoint's (known without git for one taken here): nothing changed.
        if (isSeen(commit) && (await treeOf(commit)) === tree) return [];
        const changed = (await rawDiff(commit, tree)).slice(0, limit);
        const diffs = await diffSnapshotPaths({
          git,
          from: commit,
          to: tree,
          paths: changed.map((change) => change.path),
        });
        return changed.map(
          (change): CheckpointChange => ({
            path: change.path,
            change: !change.before ? 'create' : !change.after ? 'delete' : 'modify',
            diff: diffs.get(change.path) ?? '',
          }),
        );
      }),
    create: ({ label }) => serialized(() => snapshot(label)),
    recordChange: ({ since, label }) => serialized(() => recordChange(since, label)),
    list: () =>
      serialized(async () => {
        await shadow.ensure();
        return (await tip())
          ? (await listFrom(reference)).map(({ id, label, createdAt }) => ({ id, label, createdAt }))
          : [];
      }),
    restore: (id, restoreOptions = {}) =>
      serialized(async () => {
        const checkpoint = await verify(id);
        const previous = await snapshot(`before restore of ${checkpoint.slice(0, 12)}`);
        const sinceCheckpoint = await rawDiff(checkpoint, previous.id);
        let plan: UndoPlan = { restore: sinceCheckpoint.map((change) => change.path), conflicts: [] };
        let unrecorded = false;
        if (restoreOptions.scope === 'herd-changes') {
          unrecorded = await predatesRecords(checkpoint);
          // An older Herd kept no record of what it changed: every file that differs might hold someone's edit.
          plan = unrecorded
            ? { restore: [], conflicts: plan.restore }
            : planUndo({
                sinceCheckpoint,
                leftByHerd: await lastStatesLeftByHerd({
                  records: await recordsSince(checkpoint),
                  diff: rawDiff,
                }),
              });
        }
        const outcome = await restorePaths({
          shadow,
          workspace,
          directory,
          checkpoint,
          changes: sinceCheckpoint,
          plan,
          force: restoreOptions.force === true,
          unrecorded,
        });
        // The restore is a change Herd made: a later undo of an earlier run takes these files back as well.
        await recordChange(previous.id, `after restore of ${checkpoint.slice(0, 12)}`);
        return { id: checkpoint, previousId: previous.id, ...outcome };
      }),
  };
}

const defaultMatchers = defaultDenyGlobs.map((glob) => picomatch(glob, { dot: true, nocase: true }));

/** The default deny globs, in any letter case (a case-insensitive file system opens `.ENV` as `.env`). */
function isDeniedByDefault(relativePath: string): boolean {
  return defaultMatchers.some((matches) => matches(relativePath));
}
