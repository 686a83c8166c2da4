import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { UserError } from '@herd/core';
import { runGit } from '../git/run-git.js';

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
  /** Snapshots the working tree (ignored files excluded); an unchanged tree reuses the last checkpoint. */
  create(options: { label: string }): Promise<Checkpoint>;
  /** Checkpoints, newest first. */
  list(): Promise<Checkpoint[]>;
  /** The files that differ between a checkpoint and the working tree now, with diffs (at most `limit`, default 200). */
  changes(options: { since: string; limit?: number }): Promise<CheckpointChange[]>;
  /** Brings every non-ignored file back exactly as it was at the checkpoint, including deleted and new files. */
  restore(id: string): Promise<RestoreResult>;
}

/** Options for {@link createCheckpointStore}. */
export interface CheckpointStoreOptions {
  /** The workspace root (real path). */
  workspace: string;
  /** Directory of the shadow repository. Default: `$XDG_CACHE_HOME/herd/checkpoints/<hash of workspace>`. */
  directory?: string | undefined;
}

const reference = 'refs/herd/checkpoints';
const separator = '\u001f';

/** Where checkpoints of a workspace are kept by default: a folder per workspace in the user's cache. */
export function defaultCheckpointDirectory(workspace: string): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  const key = createHash('sha256').update(workspace).digest('hex').slice(0, 16);
  return path.join(cache, 'herd', 'checkpoints', key);
}

/**
 * Creates the checkpoint store: a shadow git repository outside the user's `.git` (its own GIT_DIR and index,
 * GIT_WORK_TREE = the workspace), so the user's branch, index and stash are never touched.
 *
 * @example
 * const checkpoints = createCheckpointStore({ workspace: jail.root });
 * const { id } = await checkpoints.create({ label: 'before edit' });
 * await checkpoints.restore(id);
 */
export function createCheckpointStore(options: CheckpointStoreOptions): CheckpointStore {
  const workspace = options.workspace;
  const directory = path.resolve(options.directory ?? defaultCheckpointDirectory(workspace));
  const environment = {
    GIT_DIR: directory,
    GIT_WORK_TREE: workspace,
    GIT_INDEX_FILE: path.join(directory, 'index'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'herd',
    GIT_AUTHOR_EMAIL: 'checkpoints@herd.invalid',
    GIT_COMMITTER_NAME: 'herd',
    GIT_COMMITTER_EMAIL: 'checkpoints@herd.invalid',
  };
  const git = (args: string[]) => runGit({ args, cwd: workspace, environment });
  let ready: Promise<void> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  // One git operation at a time: concurrent tool calls must not race on the shadow index.
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  const ensureRepository = () => {
    ready ??= (async () => {
      await mkdir(directory, { recursive: true });
      await git(['init', '--quiet']);
      await git(['config', 'core.autocrlf', 'false']);
      await git(['config', 'core.safecrlf', 'false']);
      await git(['config', 'core.symlinks', 'true']);
      await git(['config', 'gc.auto', '0']);
      await mkdir(path.join(directory, 'info'), { recursive: true });
      await writeFile(path.join(directory, 'info', 'exclude'), '.herd/\n');
    })().catch((error) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  const head = async (): Promise<string | undefined> =>
    git(['rev-parse', '--verify', '--quiet', reference]).then(
      (output) => output.trim() || undefined,
      () => undefined,
    );

  const snapshot = async (label: string): Promise<Checkpoint> => {
    await ensureRepository();
    // Unreadable files make git add exit non-zero after adding the rest; the snapshot still holds everything readable.
    await git(['add', '--all', '--ignore-errors', '--', '.']).catch(() => undefined);
    const tree = (await git(['write-tree'])).trim();
    const parent = await head();
    if (parent) {
      const parentTree = (await git(['rev-parse', `${parent}^{tree}`])).trim();
      if (parentTree === tree) {
        const [existing] = await listFrom(parent, 1);
        if (existing) return existing;
      }
    }
    const createdAt = new Date().toISOString();
    const message = `${label}${separator}${createdAt}`;
    const commit = (
      await git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message])
    ).trim();
    await git(['update-ref', reference, commit]);
    return { id: commit, label, createdAt };
  };

  const listFrom = async (start: string, limit?: number): Promise<Checkpoint[]> => {
    const output = await git(['log', '--format=%H%x1f%B%x1e', ...(limit ? [`-${limit}`] : []), start]);
    return output
      .split('\u001e')
      .map((record) => record.trim())
      .filter(Boolean)
      .map((record) => {
        const [id = '', label = '', createdAt = ''] = record.split(separator);
        return { id, label, createdAt: createdAt.trim() };
      });
  };

  const verify = async (id: string): Promise<string> => {
    if (!/^[0-9a-f]{7,40}$/.test(id)) {
      throw new UserError({
        code: 'checkpoint_unknown',
        message: `'${id.slice(0, 60)}' is not a checkpoint id; use an id from the checkpoint list.`,
      });
    }
    await ensureRepository();
    const commit = await git(['rev-parse', '--verify', '--quiet', `${id}^{commit}`]).then(
      (output) => output.trim(),
      () => '',
    );
    const known = commit
      ? await listFrom(reference).then(
          (all) => all.some((checkpoint) => checkpoint.id === commit),
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

  const removeEmptyParents = async (file: string) => {
    let current = path.dirname(file);
    while (current.startsWith(workspace) && current !== workspace) {
      const entries = await readdir(current).catch(() => ['?']);
      if (entries.length > 0) return;
      await rmdir(current).catch(() => {});
      current = path.dirname(current);
    }
  };

  const changeKinds: Record<string, CheckpointChange['change']> = {
    A: 'create',
    M: 'modify',
    D: 'delete',
    T: 'modify',
  };

  return {
    directory,
    changes: ({ since, limit = 200 }) =>
      serialized(async () => {
        const commit = await verify(since);
        await git(['add', '--all', '--ignore-errors', '--', '.']).catch(() => undefined);
        const tree = (await git(['write-tree'])).trim();
        const fields = (
          await git(['diff-tree', '-r', '-z', '--name-status', '--no-renames', commit, tree])
        ).split('\0');
        const found: CheckpointChange[] = [];
        for (let index = 0; index + 1 < fields.length && found.length < limit; index += 2) {
          const kind = changeKinds[fields[index]!.charAt(0)] ?? 'modify';
          const file = fields[index + 1]!;
          const diff = await git([
            'diff',
            '--no-ext-diff',
            '--no-textconv',
            '--no-color',
            commit,
            tree,
            '--',
            file,
          ]);
          found.push({ path: file, change: kind, diff });
        }
        return found;
      }),
    create: ({ label }) => serialized(() => snapshot(label)),
    list: () =>
      serialized(async () => {
        await ensureRepository();
        const start = await head();
        return start ? listFrom(start) : [];
      }),
    restore: (id) =>
      serialized(async () => {
        const commit = await verify(id);
        const previous = await snapshot(`before restore of ${commit.slice(0, 12)}`);
        const split = (output: string) => output.split('\0').filter(Boolean);
        const current = new Set(split(await git(['ls-tree', '-r', '-z', '--name-only', previous.id])));
        const wanted = new Set(split(await git(['ls-tree', '-r', '-z', '--name-only', commit])));
        const changed = split(
          await git(['diff-tree', '-r', '-z', '--name-only', '--no-renames', previous.id, commit]),
        );
        await git(['read-tree', commit]);
        await git(['checkout-index', '--all', '--force']);
        const removed: string[] = [];
        for (const file of current) {
          if (wanted.has(file)) continue;
          const absolute = path.join(workspace, file);
          await rm(absolute, { force: true });
          await removeEmptyParents(absolute);
          removed.push(file);
        }
        return {
          id: commit,
          previousId: previous.id,
          restored: changed.filter((file) => wanted.has(file)),
          removed,
        };
      }),
  };
}
