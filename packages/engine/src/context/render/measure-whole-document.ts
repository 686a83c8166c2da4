import { createHash } from 'node:crypto';
import type { OverheadCount } from '../cache/pack-cache.js';
import { countLargeText } from '../tokens/calibrate-token-counts.js';
import type { CountedFile } from '../tokens/counted-file.js';
import type { TokenCountPool } from '../tokens/token-count-pool.js';
import { type WholeDocumentOptions, wholeDocumentOverhead } from './write-whole-document.js';

// Within this share of the budget an extrapolated total cannot decide whether the repository fits.
const boundaryMargin = 0.03;

/** What counting the whole document found. */
export interface WholeMeasure {
  /** Tokens of the files' content. */
  fileTokens: number;
  /**
   * The count of the document's overhead (tree, tags); not counted when the files alone are clearly over the
   * budget (the repository goes into a map then).
   */
  overhead: OverheadCount | undefined;
  /** Tokens of the whole document (at least). */
  documentTokens: number;
  /** Whether every count is exact. */
  exact: boolean;
  /** Whether the total is extrapolated and so close to the budget that it cannot decide whether the files fit. */
  uncertain: boolean;
}

/**
 * Counts the whole document: its files' counts plus its overhead, counted (or taken from the cache when its text
 * is unchanged).
 */
export async function measureWhole(options: {
  whole: WholeDocumentOptions;
  /** Fills in the whole document's tree and files, when its overhead is to be counted. */
  prepare: () => void;
  counted: readonly CountedFile[];
  pool: TokenCountPool;
  exact: boolean;
  cached: OverheadCount | undefined;
  budget: number;
}): Promise<WholeMeasure> {
  const { counted, budget } = options;
  const fileTokens = sum(counted.map((file) => file.tokens));
  const exact = counted.every((file) => file.exact);
  const margin = exact ? 0 : budget * boundaryMargin;
  if (fileTokens > budget + margin) {
    // A repository over its budget without the overhead: the overhead of a hundred thousand files is tens of
    // megabytes of text, not worth making and counting for a map.
    return { fileTokens, overhead: undefined, documentTokens: fileTokens, exact, uncertain: false };
  }
  options.prepare();
  const overhead = await countOverhead({
    text: wholeDocumentOverhead(options.whole),
    pool: options.pool,
    exact: options.exact,
    cached: options.cached,
  });
  const documentTokens = fileTokens + overhead.tokens;
  const uncertain = !exact && Math.abs(documentTokens - budget) <= margin;
  return { fileTokens, overhead, documentTokens, exact, uncertain };
}

/** Counts the document's overhead, reusing the cached count when the overhead text is unchanged. */
async function countOverhead(options: {
  text: string;
  pool: TokenCountPool;
  exact: boolean;
  cached: OverheadCount | undefined;
}): Promise<OverheadCount> {
  const hash = createHash('sha1').update(options.text).digest('base64url');
  const { cached } = options;
  if (cached && cached.hash === hash && (cached.exact || !options.exact)) return cached;
  const tokens = await countLargeText({ text: options.text, pool: options.pool, exact: options.exact });
  return { hash, tokens, exact: options.exact || options.text.length < 200_000 };
}

/** The sum of numbers. */
export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
