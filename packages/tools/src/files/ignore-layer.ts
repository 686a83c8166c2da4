import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** The gitignore-syntax rules of one directory's `.gitignore` and `.herdignore`, read together. */
export interface IgnoreLayer {
  /** Workspace-relative directory the rules are relative to ('' for the root). */
  base: string;
  rules: Ignore;
}

/** The ignore files every file tool honors, in every directory of the workspace. */
export const ignoreFileNames: readonly string[] = ['.gitignore', '.herdignore'];

/** Reads the ignore files of one directory; undefined when it has none (or only blank ones). */
export async function readIgnoreLayer(options: {
  /** Absolute directory holding the ignore files. */
  directory: string;
  /** The same directory, workspace-relative ('' for the root). */
  base: string;
}): Promise<IgnoreLayer | undefined> {
  const { directory, base } = options;
  const texts = await Promise.all(
    ignoreFileNames.map((name) => readFile(path.join(directory, name), 'utf8').catch(() => '')),
  );
  const text = texts.join('\n');
  if (!text.trim()) return undefined;
  return { base, rules: ignore().add(text) };
}

/**
 * Whether any layer ignores a workspace-relative path. Each layer is judged on its own, so a `!pattern` in a
 * deeper folder cannot bring back what a shallower one ignores.
 */
export function isIgnoredByLayers(options: {
  layers: readonly IgnoreLayer[];
  relative: string;
  directory: boolean;
}): boolean {
  const { layers, relative, directory } = options;
  return layers.some((layer) => {
    const local = layer.base ? relative.slice(layer.base.length + 1) : relative;
    return local !== '' && layer.rules.ignores(directory ? `${local}/` : local);
  });
}
