import type { PathDenyRule } from '../errors/path-denied-error.js';
import { foldPath } from './fold-path.js';
import type { PathIntent } from './workspace-jail.js';

/** The name Herd reads its configuration from, in the working directory or any folder above it. */
const configFileName = 'herd.config.json';

/** Why a path that steers git or Herd is refused. */
export interface ControlPathRefusal {
  rule: PathDenyRule;
  message: string;
}

/**
 * Refuses paths that steer git or Herd rather than hold the project, at any depth and whatever their case (a
 * case-insensitive file system opens `.GIT/hooks` as `.git/hooks`):
 * - `.git` (a folder, or the file a submodule or worktree uses) is never read or written: its config can hold
 *   credentials in remote URLs and its hooks and config run code on the next git command;
 * - `.herd` (Herd's approved plans, sessions, audit log, caches) is never read or written;
 * - `herd.config.json` is never written: Herd reads it from the working directory upward, so one written in any
 *   folder would configure the next run started there.
 */
export function controlPathRefusal(options: {
  /** Workspace-relative path with `/` separators. */
  relative: string;
  intent: PathIntent;
  /** The path as the caller gave it, for the message. */
  shown: string;
}): ControlPathRefusal | undefined {
  const { relative, intent, shown } = options;
  if (relative === '.' || relative === '') return undefined;
  const names = foldPath(relative).split('/');
  if (names.includes('.git')) {
    return {
      rule: 'git_directory',
      message:
        intent === 'write'
          ? `The path '${shown}' is inside a .git directory, which tools never write; change the working tree instead.`
          : `The path '${shown}' is inside a .git directory, which tools never read (its config can hold credentials); use git_status, git_diff or a git command instead.`,
    };
  }
  // Herd's own state (approved plans, sessions, guard cache and audit log) and its configuration steer later
  // runs: a model that could write them could approve its own plans or switch the guard off.
  if (names.includes('.herd')) {
    return {
      rule: 'herd_state',
      message: `The path '${shown}' is inside .herd, Herd's own state, which tools never read or write; work on the project's files.`,
    };
  }
  if (intent === 'write' && names.at(-1) === configFileName) {
    return {
      rule: 'herd_config',
      message: `The path '${shown}' is a Herd configuration file (Herd reads the nearest one above the folder it runs in), which tools never write; ask the user to change it.`,
    };
  }
  return undefined;
}
