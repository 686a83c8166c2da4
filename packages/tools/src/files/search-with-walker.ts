import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { decodeText, looksBinary } from './decode-text.js';
import { compileGlob, compileSearchPattern } from './linear-pattern.js';
import { readAtMost } from './read-at-most.js';
import type { SearchMatch, SearchOutcome, SearchQuery } from './search-tool.js';
import { walkWorkspace } from './workspace-walker.js';

/** Files larger than this are skipped by the pure search, as ripgrep users rarely want them either. */
const largestFileBytes = 4 * 1024 * 1024;
/** Lines are cut before matching, so one huge line costs no more than a normal one. */
const longestLineChecked = 4096;

/**
 * Searches with a pure JavaScript walk of the workspace; the fallback when ripgrep is not installed. The pattern
 * and the glob run on RE2 (linear time), so a hostile pattern cannot hold the event loop; files are opened in the
 * folders the walk holds, never through a symlink.
 */
export async function searchWithWalker(options: {
  jail: WorkspaceJail;
  query: SearchQuery;
  start: string;
  signal?: AbortSignal;
}): Promise<SearchOutcome> {
  const { jail, query, start, signal } = options;
  const matchesLine = compileSearchPattern(query);
  const matchesGlob = query.glob ? compileGlob(query.glob, { basename: true }) : () => true;
  const matches: SearchMatch[] = [];
  const startRelative = jail.toRelative(start);

  // Adds the file's matching lines; false once the result cap is reached.
  const searchFile = async (handle: FileHandle, relative: string): Promise<boolean> => {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > largestFileBytes) return true;
    // A file that grew past the limit after it was measured is skipped like one that was larger from the start.
    const { bytes, complete } = await readAtMost(handle, largestFileBytes);
    if (!complete) return true;
    if (looksBinary(bytes)) return true;
    const lines = decodeText(bytes).text.split('\n');
    for (let index = 0; index < lines.length; index += 1) {
      const line = lines[index]!.replace(/\r$/, '');
      if (!matchesLine(line.length > longestLineChecked ? line.slice(0, longestLineChecked) : line)) continue;
      if (matches.length >= query.maxResults) return false;
      matches.push({ path: relative, line: index + 1, text: line.slice(0, 300) });
    }
    return true;
  };

  // The start is opened through the jail, which checks the file opened is the one inside the workspace.
  const opened = await jail.openForRead(startRelative);
  try {
    if (opened.stats.isFile()) {
      const more = !(await searchFile(opened.handle, startRelative));
      return { matches, truncated: more };
    }
  } finally {
    await opened.handle.close();
  }
  for await (const entry of walkWorkspace({ jail, start, ...(signal ? { signal } : {}) })) {
    if (entry.kind !== 'file' || !matchesGlob(entry.relative)) continue;
    const handle = await open(
      entry.openPath,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    ).catch(() => undefined);
    if (!handle) continue;
    try {
      if (!(await searchFile(handle, entry.relative))) return { matches, truncated: true };
    } finally {
      await handle.close();
    }
  }
  return { matches, truncated: false };
}
