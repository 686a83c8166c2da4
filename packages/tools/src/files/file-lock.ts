const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `work` after every earlier call for the same absolute path has finished, so concurrent edits of one file
 * apply one after the other instead of overwriting each other.
 */
export async function withFileLock<T>(absolutePath: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(absolutePath) ?? Promise.resolve();
  const current = previous.then(work, work);
  const tail = current.catch(() => {});
  tails.set(absolutePath, tail);
  try {
    return await current;
  } finally {
    if (tails.get(absolutePath) === tail) tails.delete(absolutePath);
  }
}
