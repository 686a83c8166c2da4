import { randomUUID } from 'node:crypto';
import {
  linkSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@herd/core';
import { z } from 'zod';
import { prepareHerdDirectory } from './herd-directory.js';
import { isProcessAlive } from './running-marker.js';

/** Who holds a workspace: what `.herd/run.lock` says. */
export const WorkspaceRunHolderSchema = z.object({
  /** Process id of the holder. */
  pid: z.number().int().positive(),
  /** Machine the holder runs on (a workspace on a shared disk can be held from elsewhere). */
  host: z.string(),
  /** The session whose run holds the workspace. */
  sessionId: z.string(),
  /** What it is doing: a run that may change files, an undo, or one tool call served over MCP (`herd mcp`). */
  purpose: z.enum(['run', 'undo', 'mcp']),
  /** ISO time it took the workspace. */
  startedAt: z.string(),
});

/** Who holds a workspace. */
export type WorkspaceRunHolder = z.infer<typeof WorkspaceRunHolderSchema>;

/** A held workspace; release it when the run or undo ends. */
export interface WorkspaceRunLock {
  /** The lock file. */
  readonly path: string;
  /** Gives the workspace back; releasing twice is harmless. */
  release(): void;
}

/** Lock files this process holds, by path, with the session holding each. */
const heldHere = new Map<string, string>();

/** The lock file of a workspace. */
export function workspaceRunLockPath(workspace: string): string {
  return join(workspace, '.herd', 'run.lock');
}

/**
 * Takes a workspace for one run that may change files (or one undo), so that two runs, in one process or in
 * several, never edit, checkpoint or restore the same working tree at once. The lock is `.herd/run.lock`, created
 * atomically with the holder's process, machine and session; a lock left by a process of this machine that no
 * longer exists (a run killed with SIGKILL) is taken over.
 *
 * @throws {UserError} `workspace_busy`, naming the session that holds the workspace and what to do.
 */
export function acquireWorkspaceRunLock(options: {
  workspace: string;
  sessionId: string;
  purpose: WorkspaceRunHolder['purpose'];
}): WorkspaceRunLock {
  const directory = prepareHerdDirectory(options.workspace);
  // The real path: one workspace reached through a link is still one workspace (and one key in heldHere).
  const path = workspaceRunLockPath(realpathSync(options.workspace));
  removeOldDrafts(directory);
  const holder: WorkspaceRunHolder = {
    pid: process.pid,
    host: hostname(),
    sessionId: options.sessionId,
    purpose: options.purpose,
    startedAt: new Date().toISOString(),
  };
  // Written whole under a unique name, then linked: the lock file never exists half-written.
  const draft = join(directory, `run.lock.${randomUUID()}`);
  writeFileSync(draft, `${JSON.stringify(holder)}\n`);
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        createExclusively({ draft, path });
        heldHere.set(path, options.sessionId);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = readHolder(path);
      const abandoned = current === undefined ? !isBeingWritten(path) : isAbandoned(path, current);
      if (attempt < 3 && abandoned) {
        takeOver({ path, abandoned: current });
        continue;
      }
      throw busy({ workspace: options.workspace, path, holder: current });
    }
  } finally {
    unlinkSync(draft);
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(path);
      // Only our own lock is removed, never one another run took over after ours was judged abandoned.
      if (sameHolder(readHolder(path), holder)) rmSync(path, { force: true });
    },
  };
}

/** Creates `path` with the draft's content, failing with EEXIST when it exists. */
function createExclusively(options: { draft: string; path: string }): void {
  try {
    linkSync(options.draft, options.path);
  } catch (error) {
    // Some mounted file systems have no hard links: an exclusive create is the next best (briefly empty).
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes((error as NodeJS.ErrnoException).code ?? ''))
      throw error;
    writeFileSync(options.path, readFileSync(options.draft), { flag: 'wx' });
  }
}

/**
 * Removes an abandoned lock. It is first moved aside, atomically: if what was moved turns out to be the lock of a
 * run that took the workspace since it was read, it is put back.
 */
function takeOver(options: { path: string; abandoned: WorkspaceRunHolder | undefined }): void {
  const aside = `${options.path}.stale.${randomUUID()}`;
  try {
    renameSync(options.path, aside);
  } catch {
    return;
  }
  if (!sameHolder(readHolder(aside), options.abandoned)) {
    try {
      linkSync(aside, options.path);
    } catch {
      // Yet another run took the workspace meanwhile; it holds it now.
    }
  }
  rmSync(aside, { force: true });
}

/** Drafts and set-aside locks a process left when it died between writing and removing them. */
function removeOldDrafts(directory: string): void {
  for (const name of readdirSync(directory)) {
    if (!name.startsWith('run.lock.')) continue;
    const file = join(directory, name);
    try {
      if (Date.now() - statSync(file).mtimeMs > 60_000) rmSync(file, { force: true });
    } catch {
      // Gone already.
    }
  }
}

/**
 * A hold on a workspace shared by the overlapping work of one holder (the parallel tool calls of one `herd mcp`
 * client): the lock is taken by the first `hold()` and released when the last hold is released.
 */
export function createSharedWorkspaceHold(options: Parameters<typeof acquireWorkspaceRunLock>[0]): {
  hold(): { release(): void };
} {
  let lock: WorkspaceRunLock | undefined;
  let holds = 0;
  return {
    hold() {
      lock ??= acquireWorkspaceRunLock(options);
      holds += 1;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          holds -= 1;
          if (holds > 0) return;
          lock?.release();
          lock = undefined;
        },
      };
    },
  };
}

/** The holder named by a lock file, if it can be read (a vanished or unreadable file reads as nobody). */
function readHolder(path: string): WorkspaceRunHolder | undefined {
  try {
    return WorkspaceRunHolderSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return undefined;
  }
}

function sameHolder(one: WorkspaceRunHolder | undefined, other: WorkspaceRunHolder | undefined): boolean {
  return (
    one?.pid === other?.pid &&
    one?.host === other?.host &&
    one?.sessionId === other?.sessionId &&
    one?.startedAt === other?.startedAt
  );
}

/** True for a lock file a moment old: one created without a hard link may still be empty while it is written. */
function isBeingWritten(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 5_000;
  } catch {
    return false;
  }
}

/** True when the holder cannot be running any more: its process is gone from this machine. */
function isAbandoned(path: string, holder: WorkspaceRunHolder): boolean {
  if (holder.host !== hostname()) return false;
  // Our own process id: held only if this process took it and has not released it (ids are reused after restarts).
  if (holder.pid === process.pid) return heldHere.get(path) !== holder.sessionId;
  return !isProcessAlive(holder.pid);
}

function busy(options: {
  workspace: string;
  path: string;
  holder: WorkspaceRunHolder | undefined;
}): UserError {
  const { holder } = options;
  const what = {
    run: `a run of session ${holder?.sessionId}`,
    undo: `an undo of session ${holder?.sessionId}`,
    mcp: 'a tool call from an MCP client of herd mcp',
  };
  const who = holder
    ? `${what[holder.purpose]} (process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}, since ${holder.startedAt})`
    : 'another Herd run';
  return new UserError({
    code: 'workspace_busy',
    message: `${options.workspace} is being changed by ${who}; wait for it to finish or cancel it, then try again.`,
    hint: `If no Herd run is active there, delete ${options.path}.`,
  });
}
