import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmdirSync,
  unlinkSync,
  utimesSync,
} from 'node:fs';
import { sandboxPlaceholderTimeMs } from '@herd/core';
import { isMountedElsewhere } from './is-mounted-elsewhere.js';

/**
 * The modification time placeholders carry (0.424 s after the epoch), so one left by a killed Herd is known again,
 * and the configuration loader takes an empty `herd.config.json` with it for no configuration.
 */
const placeholderTime = new Date(sandboxPlaceholderTimeMs);

/** Placeholders this process made and the sandboxes that still use them. */
const inUse = new Map<string, { kind: 'file' | 'directory'; users: number }>();

const lstatOf = (target: string) => {
  try {
    return lstatSync(target);
  } catch {
    return undefined;
  }
};

/** Whether a path is an empty placeholder: an empty file or directory with the placeholder's time. */
const isLeftOver = (target: string): boolean => {
  const stats = lstatOf(target);
  if (!stats || stats.mtimeMs !== placeholderTime.getTime()) return false;
  if (stats.isFile()) return stats.size === 0;
  try {
    return stats.isDirectory() && readdirSync(target).length === 0;
  } catch {
    return false;
  }
};

/**
 * Makes sure a missing control path (`.git`, `herd.config.json`...) exists as an empty placeholder while sandboxes
 * use it, so it can be bound read-only over the writable workspace and a command cannot create the real thing.
 * Shared by the sandboxes of this process that run at once: the first creates it, the last to release it removes
 * it, so every sandbox running while it exists started with it mounted (and cannot unlink it: EBUSY). One left by
 * a killed Herd, or made by another Herd running on the same workspace (empty, with the placeholder's time), is
 * taken over and removed in turn once no sandbox has it mounted. Returns false when the
 * path exists and is not a placeholder: it is the user's, and bound as it is.
 */
export function acquirePlaceholder(target: string, kind: 'file' | 'directory'): boolean {
  const known = inUse.get(target);
  if (known) {
    known.users += 1;
    // Removed by someone else since (another Herd that took it over): made again.
    if (!lstatOf(target)) create(target, kind);
    return true;
  }
  if (lstatOf(target) && !isLeftOver(target)) return false;
  // Created by someone else in between: theirs.
  if (!lstatOf(target) && !create(target, kind)) return false;
  inUse.set(target, { kind, users: 1 });
  return true;
}

/** Creates an empty placeholder with the placeholder's time; false when something is there already. */
function create(target: string, kind: 'file' | 'directory'): boolean {
  try {
    if (kind === 'directory') mkdirSync(target, { mode: 0o755 });
    else closeSync(openSync(target, 'wx', 0o644));
  } catch {
    return false;
  }
  utimesSync(target, placeholderTime, placeholderTime);
  return true;
}

/**
 * Gives a placeholder back; the last user removes it if it is still empty (Herd itself may have filled `.herd`) and
 * no sandbox of another process still has it mounted: another Herd on the same workspace takes over the
 * placeholders it finds, and removing one on the host would take its read-only bind away inside that sandbox (the
 * kernel detaches mounts on a path removed in another mount namespace), letting its command create the real file.
 * That Herd removes it when its own last sandbox ends.
 */
export function releasePlaceholder(target: string): void {
  const known = inUse.get(target);
  if (!known) return;
  known.users -= 1;
  if (known.users > 0) return;
  inUse.delete(target);
  if (isMountedElsewhere(target)) return;
  try {
    const stats = lstatSync(target);
    if (known.kind === 'directory' && stats.isDirectory()) rmdirSync(target);
    else if (known.kind === 'file' && stats.isFile() && stats.size === 0) unlinkSync(target);
  } catch {
    // Not empty any more (rmdir fails), or already gone: leave it.
  }
}
