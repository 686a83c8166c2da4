import { posix } from 'node:path';
import { estimateO200kTokens } from '@herd/core';

/** One included file as the map sees it. */
export interface MapFile {
  /** Path relative to the root. */
  path: string;
  /** Whether the file appears in full below the map. */
  full: boolean;
  /** Its top-level symbols, when extracted. */
  symbols?: readonly string[];
}

/** The rendered map and what it left out. */
export interface RepositoryMap {
  /** The map text. */
  text: string;
  /** Files not listed with their symbols (listed by path only, or summarized by directory). */
  trimmed: number;
  /** Paths of the files listed with their symbols. */
  withSymbols: string[];
}

// Estimates run a little low on paths and short lines; this keeps the map inside its share before the exact
// count of the document settles it.
const lineCostFactor = 1.15;

/**
 * Renders the repository map inside `share` tokens: files in rank order get a line each (with `[full]` when
 * they are in the document in full) until half the share is used, then their symbols while the share lasts;
 * the remaining files are summarized per directory (`dir/ … N more files`), coarser directories if needed.
 * `symbolsOf` is called lazily, best-ranked first, so only files that make it into the map are parsed.
 */
export function buildRepositoryMap(options: {
  ranked: readonly MapFile[];
  share: number;
  symbolsOf: (file: MapFile) => readonly string[];
}): RepositoryMap {
  const { ranked, share } = options;
  const cost = (line: string) => (estimateO200kTokens(line) + 1) * lineCostFactor;
  const listed: MapFile[] = [];
  let used = 0;
  for (const file of ranked) {
    const lineCost = cost(`${file.path}${file.full ? ' [full]' : ''}`);
    if (used + lineCost > share * 0.5 && !file.full) continue;
    listed.push(file);
    used += lineCost;
  }
  const listedSet = new Set(listed);
  const rest = ranked.filter((file) => !listedSet.has(file));
  let summary: string[] = [];
  for (let depth = 3; depth >= 0; depth--) {
    summary = summarize(rest, depth);
    const summaryCost = summary.reduce((sum, line) => sum + cost(line), 0);
    if (used + summaryCost <= share * 0.75 || depth === 0) {
      used += summaryCost;
      break;
    }
  }
  const symbols = new Map<MapFile, readonly string[]>();
  let withSymbols = 0;
  for (const file of listed) {
    if (file.full) continue;
    if (used >= share) break;
    const lines = options.symbolsOf(file);
    if (lines.length === 0) continue;
    const linesCost = lines.reduce((sum, line) => sum + cost(`  ${line}`), 0);
    if (used + linesCost > share) continue;
    symbols.set(file, lines);
    used += linesCost;
    withSymbols++;
  }
  const entries: { key: string; lines: string[] }[] = listed.map((file) => ({
    key: file.path,
    lines: [
      `${file.path}${file.full ? ' [full]' : ''}`,
      ...(symbols.get(file) ?? []).map((line) => `  ${line}`),
    ],
  }));
  for (const line of summary) entries.push({ key: line, lines: [line] });
  entries.sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0));
  const fullCount = listed.filter((file) => file.full).length;
  return {
    text: entries.flatMap((entry) => entry.lines).join('\n'),
    trimmed: ranked.length - fullCount - withSymbols,
    withSymbols: [...symbols.keys()].map((file) => file.path),
  };
}

function summarize(files: readonly MapFile[], depth: number): string[] {
  const counts = new Map<string, number>();
  for (const file of files) {
    const directory = posix.dirname(file.path);
    const key = directory === '.' ? '' : directory.split('/').slice(0, depth).join('/');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([directory, count]) =>
    directory
      ? `${directory}/ … ${count} more file${count === 1 ? '' : 's'}`
      : `… ${count} more file${count === 1 ? '' : 's'}`,
  );
}
