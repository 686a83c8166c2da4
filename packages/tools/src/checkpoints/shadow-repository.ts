import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SystemError } from '@herd/core';
import { runHostGit } from '../git/run-host-git.js';
import { recordsBeganKey, reference } from './checkpoint-history.js';
import { readCheckpointReference, writeCheckpointReference } from './checkpoint-reference-file.js';
import { clearStaleGitLocks } from './clear-stale-git-locks.js';
import { readCachedTree } from './read-cached-tree.js';
import {
  type ConfigLine,
  configureNewRepository,
  herdSettings,
  isHerdConfiguration,
  parsePlainConfig,
} from './shadow-configuration.js';

/** Options for {@link createShadowRepository}. */
export interface ShadowRepositoryOptions {
  workspace: string;
  /** The shadow repository's GIT_DIR. */
  directory: string;
  /** True for a workspace-relative path that must never be copied into the repository (the jail's deny globs). */
  isDenied: (relativePath: string) => boolean;
}

/** Options of one git command in the shadow repository. */
export interface ShadowGitOptions {
  /** Written to git's stdin. */
  input?: string;
  /** An index file to use instead of the shadow index. */
  index?: string;
}

/** The git side of the checkpoint store. */
export interface ShadowRepository {
  /**
   * Runs git on it and returns stdout as text; `index` replaces the shadow index for this command. A lock left by a
   * killed git is cleared and the command run again.
   */
  git(args: string[], options?: ShadowGitOptions): Promise<string>;
  /** Creates it (once per store) and rewrites the files that keep it exact and inert. */
  ensure(): Promise<void>;
  /** Stages the working tree into the shadow index, leaving denied and ignored files out; returns the tree id. */
  writeTree(): Promise<string>;
  /**
   * The commit the checkpoint ref points at, read from its file without starting git: null before the first
   * checkpoint, undefined when the files cannot tell (ask git then).
   */
  readTip(): Promise<string | null | undefined>;
  /** Points the checkpoint ref at a commit: by writing its file, or through `git update-ref` when that cannot be. */
  writeTip(id: string): Promise<void>;
}

const split = (output: string) => output.split('\0').filter(Boolean);

// `info/attributes` outranks every `.gitattributes`: no filter, no end-of-line or encoding conversion, so
// snapshots hold the exact bytes and restores write them back, whatever the workspace's attributes say.
const attributes = '* -text -filter -ident -working-tree-encoding\n';

/**
 * The shadow repository behind the checkpoint store: its own GIT_DIR and index, GIT_WORK_TREE = the workspace,
 * only its own configuration (no system or global file), no templates, so the user's repository, configuration
 * and attributes play no part and no program they name runs.
 */
export function createShadowRepository(options: ShadowRepositoryOptions): ShadowRepository {
  const { workspace, directory, isDenied } = options;
  const environment = {
    GIT_DIR: directory,
    GIT_WORK_TREE: workspace,
    GIT_INDEX_FILE: path.join(directory, 'index'),
    GIT_AUTHOR_NAME: 'herd',
    GIT_AUTHOR_EMAIL: 'checkpoints@herd.invalid',
    GIT_COMMITTER_NAME: 'herd',
    GIT_COMMITTER_EMAIL: 'checkpoints@herd.invalid',
  };
  const raw = (args: string[], options: ShadowGitOptions) =>
    runHostGit({
      args,
      cwd: workspace,
      environment: options.index ? { ...environment, GIT_INDEX_FILE: options.index } : environment,
      ownConfiguration: true,
      ...(options.input === undefined ? {} : { input: options.input }),
    });

  /** Runs git; a lock a killed git left behind is removed (when no git works here) and the command retried. */
  const run = async (args: string[], options: ShadowGitOptions = {}) => {
    let result = await raw(args, options);
    if (result.exitCode !== 0 && lockedOut(result.stderr)) {
      const cleared = await clearStaleGitLocks(directory);
      if (cleared.length > 0) result = await raw(args, options);
    }
    return result;
  };

  const git = async (args: string[], options: ShadowGitOptions = {}) => {
    const result = await run(args, options);
    if (result.exitCode !== 0) {
      const detail = result.stderr.trim().split('\n').at(-1) || `exit code ${result.exitCode}`;
      throw new SystemError({
        code: 'git_failed',
        message: `git ${args[0]} failed in the checkpoint store ${directory} (${detail}).`,
        hint: lockedOut(result.stderr)
          ? 'Another git process is working on the checkpoint store; if none is, delete the .lock file named.'
          : 'Check that git is installed and the checkpoint directory is writable.',
      });
    }
    return result.stdout.toString('utf8');
  };

  // Set once `ensure` has seen the config is Herd's own: the checkpoint ref can then be read from its file.
  let plainFiles = false;
  let ready: Promise<void> | undefined;
  const ensure = () => {
    ready ??= (async () => {
      // Private: it holds a copy of every file of the workspace, which may sit in a folder others cannot read.
      await mkdir(directory, { recursive: true, mode: 0o700 });
      await chmod(directory, 0o700);
      // A repository with Herd's config and nothing else in it needs no git to set it up again: that is every
      // start but the first in a workspace.
      let settings = (await hasRepositoryLayout(directory)) ? await readConfiguration(directory) : undefined;
      if (!settings || !isHerdConfiguration(settings)) settings = await configure();
      plainFiles = settings !== undefined && isHerdConfiguration(settings);
      await mkdir(path.join(directory, 'info'), { recursive: true });
      await writeFile(path.join(directory, 'info', 'exclude'), '.herd/\n');
      await writeFile(path.join(directory, 'info', 'attributes'), attributes);
    })().catch((error) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  /** Creates the repository (or completes it) and gives it Herd's settings; returns the config it ends with. */
  const configure = async () => {
    await git(['init', '--quiet', '--template=']);
    // A new repository gets its whole config in one write; any other is set key by key, as git does it.
    const written = await configureNewRepository(directory);
    if (written) return written;
    for (const [section, key, value] of herdSettings) await git(['config', `${section}.${key}`, value]);
    // From now on changes are recorded; checkpoints an older Herd took before this one are told apart.
    if (!(await git(['config', '--get', recordsBeganKey]).catch(() => ''))) {
      const tip = await git(['rev-parse', '--verify', '--quiet', reference]).catch(() => '');
      await git(['config', recordsBeganKey, tip.trim() || 'none']);
    }
    return readConfiguration(directory);
  };

  const readTip = async () => {
    await ensure();
    return plainFiles ? readCheckpointReference(directory) : undefined;
  };

  const writeTip = async (id: string) => {
    await ensure();
    if (plainFiles && (await writeCheckpointReference(directory, id))) return;
    await git(['update-ref', reference, id]);
  };

  let indexChecked = false;
  const writeTree = async () => {
    await ensure();
    // Found by name first, then left out of `add`: denied files (secrets) are never hashed into the store, and
    // nested repositories are not stored as submodule links (`add` would run `git status` inside each, under
    // that repository's own configuration). Any an older Herd stored leave the index.
    // The index is read once per store: after that only this store's `add`, which leaves them out, changes it.
    // A new store has no index yet, so nothing in it to check.
    const staged =
      indexChecked || !(await exists(path.join(directory, 'index')))
        ? []
        : split(await git(['ls-files', '-z', '--stage'])).map((entry) => ({
            gitlink: entry.startsWith('160000 '),
            path: entry.slice(entry.indexOf('\t') + 1),
          }));
    const others = split(await git(['ls-files', '-z', '--others', '--exclude-standard']));
    const left = new Set<string>();
    for (const entry of staged) if (entry.gitlink || isDenied(entry.path)) left.add(entry.path);
    for (const file of others) {
      const nested = file.endsWith('/');
      if (nested || isDenied(file)) left.add(nested ? file.slice(0, -1) : file);
    }
    const leaving = staged.filter((entry) => left.has(entry.path)).map((entry) => entry.path);
    if (leaving.length > 0) {
      await git(['update-index', '--force-remove', '-z', '--stdin'], { input: `${leaving.join('\0')}\0` });
    }
    const pathspecs = ['.', ...[...left].map((file) => `:(exclude,literal)${file}`)].join('\0');
    const fromStdin = ['--pathspec-from-file=-', '--pathspec-file-nul'];
    // Unreadable files make `add` exit non-zero after adding the rest; the snapshot still holds everything readable.
    const added = await run(['add', '--all', '--ignore-errors', ...fromStdin], { input: pathspecs });
    if (added.exitCode !== 0 && lockedOut(added.stderr)) {
      await git(['add', '--all', '--ignore-errors', ...fromStdin], { input: pathspecs });
    }
    indexChecked = true;
    // Unless `add` changed an entry, the index still holds the tree the last snapshot wrote (SHA-1 ids: a plain
    // repository): no `write-tree` then.
    const cached = plainFiles ? await readCachedTree(path.join(directory, 'index')) : undefined;
    return cached ?? (await git(['write-tree'])).trim();
  };

  return { git, ensure, writeTree, readTip, writeTip };
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** True when the files git needs to take a directory for a repository are there. */
async function hasRepositoryLayout(directory: string): Promise<boolean> {
  const found = await Promise.all(
    ['HEAD', 'objects', 'refs'].map((name) => exists(path.join(directory, name))),
  );
  return found.every(Boolean);
}

/** The repository's config in git's plain form, or undefined when it is missing or written otherwise. */
async function readConfiguration(directory: string): Promise<ConfigLine[] | undefined> {
  const text = await readFile(path.join(directory, 'config'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parsePlainConfig(text);
}

/** git's complaint when a lock file is in the way. */
function lockedOut(stderr: string): boolean {
  return /\.lock'?: File exists|cannot lock ref/i.test(stderr);
}
