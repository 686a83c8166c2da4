import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { PathDeniedError } from '../errors/path-denied-error.js';
import type { PinnedDirectory } from '../jail/pinned-directory.js';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { openStagingDirectory } from './staging-directory.js';
import type { WriteTarget } from './write-target.js';

const randomPart = () => randomBytes(6).toString('hex');
/** S_ISGID: files created in such a folder take its group. */
const setgidBit = 0o2000;

/**
 * Writes a file atomically inside the jail: the bytes go to a new temporary file (created exclusively, never
 * through a symlink) in `.herd/tmp`, or beside the target when that folder cannot be used or lies on another file
 * system, which is then renamed over the target. Both names are looked up in held folders, so a folder swapped
 * for a symlink while this runs cannot send the file anywhere else; the folder is checked to still be inside the
 * workspace afterwards. The target's permission bits are kept; new files get 0644 less the umask, and the group
 * of a setgid folder.
 */
export async function writeFileAtomically(options: {
  jail: WorkspaceJail;
  target: WriteTarget;
  bytes: Uint8Array;
}): Promise<void> {
  const { jail, target, bytes } = options;
  const current = await lstat(target.directory.entry(target.name)).catch(() => undefined);
  // The permission bits are kept, not set-user-ID or set-group-ID: new content the model wrote must not run with
  // the file owner's rights (the kernel clears them on any write by a process without CAP_FSETID too).
  const previousMode = current?.isFile() ? current.mode & 0o777 : undefined;
  const staging = await openStagingDirectory(jail).catch(() => undefined);
  try {
    let written = false;
    if (staging) {
      written = await writeThrough({
        folder: staging,
        name: `${process.pid}-${randomPart()}.tmp`,
        target,
        bytes,
        previousMode,
      }).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          // Another file system (no rename across it), or a staging folder this user cannot write (a workspace
          // shared with others, a read-only .herd): the file is staged beside its target instead.
          if (stagingUnusable.has(error.code ?? '')) return false;
          throw error;
        },
      );
    }
    if (!written) {
      await writeThrough({
        folder: target.directory,
        name: besideTargetName(target.name),
        target,
        bytes,
        previousMode,
      });
    }
  } finally {
    await staging?.close();
  }
  await assertStillInside({ jail, target });
}

/** Errors that send a write from `.herd/tmp` to a temporary file beside its target. */
const stagingUnusable = new Set(['EXDEV', 'EACCES', 'EPERM', 'EROFS']);

/** The longest name (in bytes) Linux and macOS file systems take. */
const longestNameBytes = 255;

/**
 * The temporary name beside a target, `.NAME.herd-HEX.tmp`, with NAME shortened so the whole fits in 255 bytes:
 * a target with a name near the limit can still be written.
 */
function besideTargetName(name: string): string {
  const suffix = `.herd-${randomPart()}.tmp`;
  let kept = name;
  while (Buffer.byteLength(`.${kept}${suffix}`) > longestNameBytes) kept = [...kept].slice(0, -1).join('');
  return `.${kept}${suffix}`;
}

/** Writes the bytes to a new file `name` in `folder`, then renames it over the target. */
async function writeThrough(options: {
  folder: PinnedDirectory;
  name: string;
  target: WriteTarget;
  bytes: Uint8Array;
  previousMode: number | undefined;
}): Promise<void> {
  const { folder, name, target, bytes, previousMode } = options;
  const temporary = folder.entry(name);
  const handle = await open(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    previousMode ?? 0o644,
  );
  try {
    await handle.writeFile(bytes);
    if (previousMode !== undefined) await handle.chmod(previousMode);
    if (folder !== target.directory) {
      // A file created in its own folder takes the folder's group when the folder is setgid; staged, it is given it.
      const own = await target.directory.stat();
      if (own.mode & setgidBit) await handle.chown(-1, own.gid).catch(() => {});
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, target.directory.entry(target.name));
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

/** Refuses (and removes) a write whose folder was moved out of the workspace while it ran. */
async function assertStillInside(options: { jail: WorkspaceJail; target: WriteTarget }): Promise<void> {
  const { jail, target } = options;
  const location = await target.directory.location().catch(() => undefined);
  if (location === undefined) return;
  const relative = path.relative(jail.root, location);
  if (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)) return;
  await unlink(target.directory.entry(target.name)).catch(() => {});
  throw new PathDeniedError({
    path: target.shownPath,
    rule: 'symlink_escape',
    message: `The folder of '${target.shownPath}' was moved out of the workspace while it was written; the file was removed again.`,
  });
}
