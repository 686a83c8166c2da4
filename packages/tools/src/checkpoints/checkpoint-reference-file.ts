import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { reference } from './checkpoint-history.js';

// The checkpoint ref as git keeps it in a repository of format version 0: a loose ref file holding the commit id
// and a line feed, written through `<ref>.lock` and a rename, or an entry of `packed-refs` once someone packed it.
// Herd's checkpoints have no reflog (`core.logAllRefUpdates` logs branches, remotes, notes and HEAD only).

/** True when the checkpoint ref may exist (a loose ref file or packed refs). */
export async function holdsCheckpointReference(directory: string): Promise<boolean> {
  const present = (file: string) =>
    readFile(path.join(directory, file)).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
    );
  const [loose, packed] = await Promise.all([present(reference), present('packed-refs')]);
  return loose || packed;
}

/**
 * Where the checkpoint ref points, read from the repository's files: its commit id, null before the first
 * checkpoint, or undefined when the files do not say (packed refs, a symbolic ref): ask git then. Only for a
 * repository whose config `isHerdConfiguration` accepted (refs kept as files).
 */
export async function readCheckpointReference(directory: string): Promise<string | null | undefined> {
  try {
    const text = await readFile(path.join(directory, reference), 'utf8');
    return /^[0-9a-f]{40}\n$/.test(text) ? text.trim() : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  }
  // No loose ref: none at all, unless refs were packed (Herd never packs them, a person running `git gc` may).
  return (await holdsCheckpointReference(directory)) ? undefined : null;
}

/**
 * Points the checkpoint ref at a commit the way `git update-ref` does in such a repository: the id goes into
 * `<ref>.lock`, created only if absent (so no two writers mix), which is then renamed over the ref, so a reader
 * sees the old id or the new one, never a part.
 *
 * @returns false when the lock is taken (another git works on the ref, or a killed one left it) or the write
 *   failed: then let git do it.
 */
export async function writeCheckpointReference(directory: string, id: string): Promise<boolean> {
  const file = path.join(directory, reference);
  const lock = `${file}.lock`;
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(lock, 'wx', 0o644).catch(() => undefined);
  if (!handle) return false;
  try {
    await handle.writeFile(`${id}\n`);
    await handle.close();
    await rename(lock, file);
    return true;
  } catch {
    await handle.close().catch(() => {});
    await rm(lock, { force: true });
    return false;
  }
}
