import type { CiChangedFile } from './ci-report.js';

/**
 * Lists the files a unified diff (as `git diff` writes it) changes, in order, from its `---` and `+++` headers.
 *
 * @param patch - The diff text.
 */
export function parsePatchFiles(patch: string): CiChangedFile[] {
  const files: CiChangedFile[] = [];
  let before: string | undefined;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) before = undefined;
    else if (line.startsWith('--- ')) before = headerPath(line.slice(4), 'a/');
    else if (line.startsWith('+++ ')) {
      const after = headerPath(line.slice(4), 'b/');
      const path = after ?? before;
      if (path === undefined) continue;
      files.push({
        path,
        change: before === undefined ? 'create' : after === undefined ? 'delete' : 'modify',
      });
    }
  }
  return files;
}

/** The path of a `---`/`+++` header without its `a/` or `b/` prefix; undefined for /dev/null. */
function headerPath(header: string, prefix: string): string | undefined {
  const value = header.replace(/\t.*$/, '');
  if (value === '/dev/null') return undefined;
  // git quotes paths with unusual characters C-style; JSON reads the common escapes the same way.
  const unquoted = value.startsWith('"') ? safeJsonString(value) : value;
  return unquoted.startsWith(prefix) ? unquoted.slice(prefix.length) : unquoted;
}

function safeJsonString(value: string): string {
  try {
    return JSON.parse(value) as string;
  } catch {
    return value.slice(1, -1);
  }
}
