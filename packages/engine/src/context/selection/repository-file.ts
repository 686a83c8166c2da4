/** A path found in the repository, before it is read. */
export interface RepositoryFile {
  /** Path relative to the root with `/` separators, as shown to people and models. */
  path: string;
  /**
   * What to hand to `node:fs`: an absolute path, or the raw bytes of one when the name is not valid UTF-8
   * (so such a file can still be read even though its shown name has replacement characters).
   */
  fsPath: string | Buffer;
}

/** Builds a {@link RepositoryFile} from raw name bytes, keeping the bytes when they are not valid UTF-8. */
export function toRepositoryFile(options: { root: string; raw: Buffer; warnings: string[] }): RepositoryFile {
  const path = options.raw.toString('utf8');
  if (Buffer.byteLength(path) === options.raw.length && !path.includes('\uFFFD')) {
    // git and the walk give clean relative paths (no `.` or `..` segments, no doubled slashes), so joining needs
    // no normalizing, which at a hundred thousand files allocates tens of megabytes.
    return { path, fsPath: `${options.root}/${path}` };
  }
  options.warnings.push(
    `The name ${JSON.stringify(path)} is not valid UTF-8; it is shown with replacement characters.`,
  );
  return { path, fsPath: Buffer.concat([Buffer.from(`${options.root}/`), options.raw]) };
}
