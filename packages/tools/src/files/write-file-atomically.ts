import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedPath, WorkspaceJail } from '../jail/workspace-jail.js';

/**
 * Writes a file atomically inside the jail: a temporary file in the same directory (created exclusively, never
 * through a symlink, and checked to be inside the workspace once open), then a rename over the target. The
 * target's permission bits are kept; new files get 0644 less the umask.
 */
export async function writeFileAtomically(options: {
  jail: WorkspaceJail;
  target: ResolvedPath;
  bytes: Uint8Array;
  shownPath: string;
}): Promise<void> {
  const { jail, target, bytes, shownPath } = options;
  const directory = path.dirname(target.absolute);
  await mkdir(directory, { recursive: true });
  const previousMode = await stat(target.absolute).then(
    (stats) => stats.mode & 0o7777,
    () => undefined,
  );
  const temporary = path.join(
    directory,
    `.${path.basename(target.absolute)}.herd-${randomBytes(6).toString('hex')}.tmp`,
  );
  const handle = await open(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    previousMode ?? 0o644,
  );
  try {
    await jail.assertHandleInside({ handle, path: shownPath });
    await handle.writeFile(bytes);
    if (previousMode !== undefined) await handle.chmod(previousMode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, target.absolute);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}
