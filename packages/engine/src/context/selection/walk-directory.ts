import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import type { ExcludedFile } from '../pack-stats.js';
import { createNestedIgnore } from './nested-ignore.js';
import { type RepositoryFile, toRepositoryFile } from './repository-file.js';

/** What {@link walkDirectory} found. */
export interface WalkResult {
  /** Files not ignored, in walk order. */
  files: RepositoryFile[];
  /** Ignored paths (a directory stands for everything under it) and unreadable directories. */
  excluded: ExcludedFile[];
  /** Odd names and similar problems. */
  warnings: string[];
}

/**
 * Walks a directory that is not a git work tree, honoring `.gitignore` files at every level and skipping
 * `.git`. Names are read as bytes so that names which are not valid UTF-8 can still be opened.
 */
export async function walkDirectory(options: { root: string }): Promise<WalkResult> {
  const rules = createNestedIgnore();
  const result: WalkResult = { files: [], excluded: [], warnings: [] };
  const rootBytes = Buffer.from(options.root);
  const pending: { relative: string; bytes: Buffer }[] = [{ relative: '', bytes: rootBytes }];
  while (pending.length > 0) {
    const directory = pending.pop()!;
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(directory.bytes, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      result.excluded.push({ path: `${directory.relative}/`, reason: 'unreadable', detail: code });
      continue;
    }
    const gitignore = entries.find((entry) => entry.name.toString() === '.gitignore' && entry.isFile());
    if (gitignore) {
      try {
        const text = readFileSync(Buffer.concat([directory.bytes, Buffer.from('/.gitignore')]), 'utf8');
        rules.add({ directory: directory.relative, rules: text });
      } catch {
        result.warnings.push(`Could not read ${directory.relative}/.gitignore; its rules were not applied.`);
      }
    }
    for (const entry of entries) {
      const rawRelative = directory.relative
        ? Buffer.concat([Buffer.from(`${directory.relative}/`), entry.name])
        : entry.name;
      const file = toRepositoryFile({ root: options.root, raw: rawRelative, warnings: result.warnings });
      if (entry.isDirectory()) {
        if (entry.name.toString() === '.git') continue;
        if (rules.ignores({ path: file.path, directory: true })) {
          result.excluded.push({ path: `${file.path}/`, reason: 'ignored', detail: 'gitignore' });
        } else {
          pending.push({
            relative: file.path,
            bytes: Buffer.concat([directory.bytes, Buffer.from('/'), entry.name]),
          });
        }
      } else if (rules.ignores({ path: file.path })) {
        result.excluded.push({ path: file.path, reason: 'ignored', detail: 'gitignore' });
      } else {
        result.files.push(file);
      }
    }
  }
  return result;
}
