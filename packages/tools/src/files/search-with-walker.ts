import { open } from 'node:fs/promises';
import picomatch from 'picomatch';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { decodeText, looksBinary } from './decode-text.js';
import type { SearchMatch, SearchOutcome, SearchQuery } from './search-tool.js';
import { walkWorkspace } from './workspace-walker.js';

/** Files larger than this are skipped by the pure search, as ripgrep users rarely want them either. */
const largestFileBytes = 4 * 1024 * 1024;
/** Lines are cut before matching so a hostile regex cannot spend unbounded time on one huge line. */
const longestLineChecked = 4096;

const escapeRegExp = (text: string): string => text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Searches with a pure JavaScript walk of the workspace; the fallback when ripgrep is not installed. */
export async function searchWithWalker(options: {
  jail: WorkspaceJail;
  query: SearchQuery;
  start: string;
  signal?: AbortSignal;
}): Promise<SearchOutcome> {
  const { jail, query, start, signal } = options;
  const expression = new RegExp(
    query.literal ? escapeRegExp(query.pattern) : query.pattern,
    query.caseSensitive ? 'u' : 'iu',
  );
  const matchesGlob = query.glob
    ? picomatch(query.glob, { dot: true, basename: !query.glob.includes('/') })
    : () => true;
  const matches: SearchMatch[] = [];
  const startRelative = jail.toRelative(start);
  const searchFile = async (absolute: string, relative: string): Promise<boolean> => {
    const handle = await open(absolute, 'r').catch(() => undefined);
    if (!handle) return true;
    try {
      const stats = await handle.stat();
      if (!stats.isFile() || stats.size > largestFileBytes) return true;
      const bytes = await handle.readFile();
      if (looksBinary(bytes)) return true;
      const lines = decodeText(bytes).text.split('\n');
      for (let index = 0; index < lines.length; index += 1) {
        const line = lines[index]!.replace(/\r$/, '');
        if (!expression.test(line.length > longestLineChecked ? line.slice(0, longestLineChecked) : line))
          continue;
        if (matches.length >= query.maxResults) return false;
        matches.push({ path: relative, line: index + 1, text: line.slice(0, 300) });
      }
      return true;
    } finally {
      await handle.close();
    }
  };
  const startStats = await open(start, 'r').then(async (handle) => {
    const stats = await handle.stat();
    await handle.close();
    return stats;
  });
  if (startStats.isFile()) {
    const more = !(await searchFile(start, startRelative));
    return { matches, truncated: more };
  }
  for await (const entry of walkWorkspace({ jail, start, ...(signal ? { signal } : {}) })) {
    if (entry.kind !== 'file' || !matchesGlob(entry.relative)) continue;
    if (!(await searchFile(entry.absolute, entry.relative))) return { matches, truncated: true };
  }
  return { matches, truncated: false };
}
