/**
 * Where file tools read and write text once the jail has accepted a path: an editor's buffers, for example.
 * Without one, the tools use the disk directly (file handles opened without following symlinks, atomic writes
 * through a temporary file and a rename, BOM and Latin-1 handling), which this text-in, text-out seam cannot
 * express and so is not an implementation of it.
 *
 * What Herd still guarantees with a file system given: the jail (paths stay inside the workspace, symlinks are
 * followed and checked, deny globs, no writes into `.git/`), one write at a time per file, line endings kept,
 * and a checkpoint before every write. What it cannot: that a write is atomic or saved to disk (the
 * implementation decides; checkpoints, diffs, `search` and `git_*` see the disk), and BOM or encoding handling.
 */
export interface WorkspaceFileSystem {
  /** Where the files live, said in tool results, e.g. `the editor's buffers`. */
  readonly description: string;
  /**
   * Returns the whole current text of a file the jail accepted, including changes not yet saved to disk.
   *
   * @param options.absolutePath - Absolute path inside the workspace, with symlinks resolved.
   */
  readTextFile(options: { absolutePath: string; signal?: AbortSignal }): Promise<string>;
  /**
   * Replaces (or creates) a file the jail accepted with the given text.
   *
   * @param options.absolutePath - Absolute path inside the workspace, with symlinks resolved.
   */
  writeTextFile(options: { absolutePath: string; content: string; signal?: AbortSignal }): Promise<void>;
}
