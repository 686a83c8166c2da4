import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { GuardError } from '@herd/core';
import { acquirePlaceholder, releasePlaceholder } from './control-placeholders.js';
import { hostPath } from './host-path.js';

/**
 * What git and Herd trust in a work tree, with what a placeholder for a missing one is: git's repository (config,
 * hooks, `info/attributes`), its attributes and submodules (filters, diff drivers), Herd's configuration and its
 * state (sessions, plans).
 */
export const workspaceControlNames: Readonly<Record<string, 'file' | 'directory'>> = {
  '.git': 'directory',
  '.herd': 'directory',
  'herd.config.json': 'file',
  '.gitattributes': 'file',
  '.gitmodules': 'file',
};

/** Directories the search for nested control files does not enter: package trees nobody runs git or Herd in. */
const unsearched = new Set(['node_modules']);

/** How many directories the search for nested control files reads at most, so huge trees stay quick. */
export const nestedSearchLimit = 20_000;

/** Linux's O_PATH: a handle on the file itself, without opening it for reading (FIFOs do not block). */
const openPath = 0o10000000;

/** One bind the sandbox makes from a verified file descriptor. */
export interface ProtectedMount {
  /** The descriptor in this process, open on the exact file or directory meant. */
  descriptor: number;
  /** Where it is bound in the sandbox. */
  destination: string;
  /** Writable (a directory pinned in place), or read-only (a control path). */
  writable: boolean;
}

/** The binds that keep the workspace's control files out of a command's reach, and how to give them back. */
export interface WorkspaceProtection {
  /** Binds to apply after the workspace's own, shallowest first. */
  mounts: ProtectedMount[];
  /** Whether the search for nested control files read the whole workspace (false past {@link nestedSearchLimit}). */
  complete: boolean;
  /** Closes the descriptors and removes the placeholders no other running sandbox uses. Call once, after the run. */
  release(): void;
}

/** Every control path below the root (the root's own are handled apart), read a batch of directories at a time. */
async function findNestedControlPaths(root: string): Promise<{ found: string[]; complete: boolean }> {
  const found: string[] = [];
  const pending = [root];
  let read = 0;
  while (pending.length > 0) {
    if (read >= nestedSearchLimit) return { found, complete: false };
    const batch = pending.splice(0, Math.min(64, nestedSearchLimit - read));
    read += batch.length;
    const listings = await Promise.all(
      batch.map((directory) => readdir(directory, { withFileTypes: true }).catch(() => [])),
    );
    batch.forEach((directory, index) => {
      for (const entry of listings[index]!) {
        const target = path.join(directory, entry.name);
        if (Object.hasOwn(workspaceControlNames, entry.name)) {
          if (directory !== root) found.push(target);
        } else if (entry.isDirectory() && !unsearched.has(entry.name)) pending.push(target);
      }
    });
  }
  return { found, complete: true };
}

/** The git directories a `.git` file leads to (a worktree's or submodule's, and its common directory). */
function gitDirectoriesOf(gitFile: string): string[] {
  try {
    const text = readFileSync(gitFile, 'utf8');
    const match = /^gitdir: (.+)$/m.exec(text);
    if (!match) return [];
    const gitDirectory = realpathSync(path.resolve(path.dirname(gitFile), match[1]!.trim()));
    let common: string | undefined;
    try {
      const relative = readFileSync(path.join(gitDirectory, 'commondir'), 'utf8').trim();
      common = realpathSync(path.resolve(gitDirectory, relative));
    } catch {}
    return common ? [gitDirectory, common] : [gitDirectory];
  } catch {
    return [];
  }
}

/**
 * Opens exactly `target` (no link followed anywhere on the way, checked through `/proc/self/fd`), so what is bound
 * is what was meant even if a command running at the same time swaps a directory for a link. Undefined when the
 * path is missing, a link, or neither a file nor a directory (a FIFO, a device).
 */
function openExactly(target: string): number | undefined {
  let descriptor: number;
  try {
    descriptor = openSync(target, openPath | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(descriptor);
    if (readlinkSync(`/proc/self/fd/${descriptor}`) === target && (stats.isFile() || stats.isDirectory()))
      return descriptor;
  } catch {}
  closeSync(descriptor);
  return undefined;
}

/** The refusal for a root control path that exists but cannot be bound (a symbolic link, a FIFO, a socket). */
function unprotectableControlPath(target: string, name: string): GuardError {
  const stats = (() => {
    try {
      return lstatSync(target);
    } catch {
      return undefined;
    }
  })();
  const what = !stats
    ? 'kept disappearing while the sandbox was set up'
    : stats.isSymbolicLink()
      ? `is a symbolic link (to ${readlinkSync(target)})`
      : 'is neither a file nor a directory';
  return new GuardError({
    code: 'control_path_unprotected',
    message: `The workspace's ${name} ${what}, which the sandbox cannot keep read-only: a command could replace it with one of its own for git or the next Herd run to trust, so no sandboxed command runs.`,
    hint: stats?.isSymbolicLink()
      ? `Replace the link with what it points to (cp -a --remove-destination "$(readlink -f ${name})" ${name}, or move the directory there).`
      : `Remove or replace ${target}.`,
    scanner: 'sandbox',
  });
}

/**
 * Plans the binds that keep Herd's and git's control files read-only inside the sandbox although the workspace
 * around them is writable (see {@link workspaceControlNames}):
 *
 * - at the workspace root, each control path is bound read-only over itself; a missing one is first created as an
 *   empty placeholder (a directory for `.git` and `.herd`, an empty file otherwise) and bound the same way, so a
 *   command cannot create `.git`, `herd.config.json` or `.gitattributes` where there were none; the placeholders
 *   are removed when the last sandbox using them ends. One that exists but cannot be bound (a symbolic link, a
 *   FIFO) stops the command with a {@link GuardError}: the command could replace it. A `.git` file's git directory (a worktree's, a submodule's)
 *   is bound read-only too when it lies in the workspace (outside it, everything is read-only already);
 * - below the root, every existing control path is bound read-only, and each directory on the way to it is bound
 *   over itself (writable) so it cannot be renamed away and replaced.
 *
 * Every source is opened by descriptor and verified, so a command running at the same time cannot swap in a link.
 */
export async function protectWorkspace(options: { workspace: string }): Promise<WorkspaceProtection> {
  const { workspace } = options;
  const root = realpathSync(workspace);
  const destinationOf = (real: string) => path.join(workspace, path.relative(root, real));
  const mounts = new Map<string, ProtectedMount>();
  const placeholders: string[] = [];
  const bind = (real: string, writable: boolean) => {
    if (mounts.has(real) || !hostPath.isInside(real, root) || real === root) return;
    const descriptor = openExactly(real);
    if (descriptor !== undefined)
      mounts.set(real, { descriptor, destination: destinationOf(real), writable });
  };
  const bindControl = (real: string) => {
    bind(real, false);
    if (path.basename(real) === '.git' && hostPath.statOf(real)?.isFile()) {
      for (const directory of gitDirectoriesOf(real)) bind(directory, false);
    }
  };
  const release = () => {
    for (const mount of mounts.values()) {
      try {
        closeSync(mount.descriptor);
      } catch {}
    }
    for (const placeholder of placeholders) releasePlaceholder(placeholder);
  };
  let nested: Awaited<ReturnType<typeof findNestedControlPaths>>;
  try {
    for (const [name, kind] of Object.entries(workspaceControlNames)) {
      const target = path.join(root, name);
      // Twice: a placeholder another Herd removed between taking it over and opening it is made again.
      for (let attempt = 0; attempt < 2 && !mounts.has(target); attempt += 1) {
        if (acquirePlaceholder(target, kind)) placeholders.push(target);
        bindControl(target);
      }
      if (!mounts.has(target)) throw unprotectableControlPath(target, name);
    }
    nested = await findNestedControlPaths(root);
  } catch (error) {
    release();
    throw error;
  }
  for (const target of nested.found) {
    if (!hostPath.isInside(target, root)) continue;
    for (let directory = path.dirname(target); directory !== root; directory = path.dirname(directory)) {
      bind(directory, true);
    }
    bindControl(target);
  }
  const depth = (target: string) => target.split('/').length;
  return {
    mounts: [...mounts.values()].sort((left, right) => depth(left.destination) - depth(right.destination)),
    complete: nested.complete,
    release,
  };
}
