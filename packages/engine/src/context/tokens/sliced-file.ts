import { estimateO200kTokens } from '@herd/core';
import { ownCopy } from '../own-copy.js';
import type { CountedFile } from './counted-file.js';
import type { TokenCountPool } from './token-count-pool.js';

/**
 * A large file calibrated from exact counts of some of its own slices: one slice in `step`, picked by a hash of
 * the file's seed and the slice's index, is counted, and the file's estimate is scaled by those slices'
 * exact/estimate ratio.
 */
export interface SlicedFile {
  /** The file; its `tokens` are set from the slices. */
  file: CountedFile;
  /** Where each slice starts in the file's text (the text itself is read again when slices are counted). */
  starts: number[];
  /** Each slice's estimate. */
  estimates: number[];
  /**
   * The sum of the slices' estimates, which is what the counted slices' ratio scales: a cut after a line break
   * makes the estimate of the two sides slightly larger than the file's, so scaling the file's own estimate would
   * come out low.
   */
  estimate: number;
  /** Exact count and estimate of each slice counted so far, by index. */
  counted: Map<number, { exact: number; estimate: number }>;
  /** One slice in `step` is counted: 8 at first, halved each time the file is too unsure. */
  step: number;
  /** Picks the slices; each file has its own (a hash of its path), so that copies and variants do not err alike. */
  seed: number;
  /** Two standard errors, in tokens, of the file's extrapolated count. */
  risk: number;
}

/** Cuts a file into slices of about 512 characters (at least 128, at most 1,024 of them), none counted yet. */
export function sliceFile(options: { file: CountedFile; seed: number }): SlicedFile {
  const { file } = options;
  const text = file.text();
  const parts = Math.min(1_024, Math.max(128, Math.round(text.length / 512)));
  const starts = sliceStarts(text, parts);
  const estimates = starts.map((_start, index) => estimateO200kTokens(sliceAt(text, starts, index)));
  return {
    file,
    starts,
    estimates,
    estimate: estimates.reduce((sum, estimate) => sum + estimate, 0),
    counted: new Map(),
    step: 8,
    seed: options.seed,
    risk: Number.POSITIVE_INFINITY,
  };
}

/**
 * Counts the slices each file's `step` asks for and not yet counted, then sets each file's extrapolated count
 * (`tokens`, not exact) and its `risk`.
 */
export async function countSlices(options: {
  files: readonly SlicedFile[];
  pool: TokenCountPool;
}): Promise<void> {
  const { files, pool } = options;
  // Each file's text is read once and the slices wanted from it cut out (copied, so the text is not kept).
  const wanted: { sliced: SlicedFile; index: number; text: string }[] = [];
  let size = 0;
  const flush = async () => {
    const counts = await pool.count(wanted.map(({ text }) => text));
    wanted.forEach(({ sliced, index }, position) => {
      sliced.counted.set(index, { exact: counts[position]!, estimate: sliced.estimates[index]! });
    });
    wanted.length = 0;
    size = 0;
  };
  for (const sliced of files) {
    const indexes = sliced.starts
      .map((_, index) => index)
      .filter((index) => pick(sliced.seed, index) % sliced.step === 0 && !sliced.counted.has(index));
    if (indexes.length === 0) continue;
    const text = sliced.file.text();
    for (const index of indexes) {
      const slice = ownCopy(sliceAt(text, sliced.starts, index));
      wanted.push({ sliced, index, text: slice });
      size += slice.length;
    }
    if (size >= sliceBatchCharacters) await flush();
  }
  await flush();
  for (const sliced of files) extrapolate(sliced);
}

/** A well-mixed hash of a file's seed and a slice index; the slices with `pick % step === 0` are counted. */
function pick(seed: number, index: number): number {
  let hash = Math.imul(seed ^ Math.imul(index + 1, 0x9e3779b1), 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** The file's count from its counted slices' ratio, and the risk of that extrapolation. */
function extrapolate(sliced: SlicedFile): void {
  const { file } = sliced;
  let exact = 0;
  let estimate = 0;
  for (const slice of sliced.counted.values()) {
    exact += slice.exact;
    estimate += slice.estimate;
  }
  if (sliced.counted.size < 4 || estimate === 0) return;
  const ratio = exact / estimate;
  let spread = 0;
  for (const slice of sliced.counted.values()) spread += (slice.exact - ratio * slice.estimate) ** 2;
  const unsampled = Math.max(0, sliced.estimate - estimate);
  const share = Math.min(1, estimate / sliced.estimate);
  sliced.risk = 2 * (Math.sqrt(spread) / estimate) * Math.sqrt(1 - share) * unsampled;
  file.tokens = Math.max(1, Math.round(sliced.estimate * ratio));
}

// Slices to count are gathered up to this many characters before they go to the pool.
const sliceBatchCharacters = 8_000_000;

/**
 * Where the slices of a text start when it is cut into about `parts` of them, at a line break where there is one
 * nearby, else anywhere (not inside a surrogate pair). A cut inside an o200k piece moves a slice's count by a
 * token at most, which does not matter for a ratio measured over dozens of slices.
 */
function sliceStarts(text: string, parts: number): number[] {
  const starts: number[] = [];
  const length = Math.ceil(text.length / parts);
  for (let start = 0; start < text.length; ) {
    starts.push(start);
    let end = Math.min(text.length, start + length);
    const newline = text.indexOf('\n', end);
    if (newline !== -1 && newline < end + length / 4) end = newline + 1;
    else if (end < text.length && (text.charCodeAt(end) & 0xfc00) === 0xdc00) end++;
    start = end;
  }
  return starts;
}

/** The `index`th slice of a text cut at `starts`. */
function sliceAt(text: string, starts: readonly number[], index: number): string {
  return text.slice(starts[index], starts[index + 1] ?? text.length);
}
