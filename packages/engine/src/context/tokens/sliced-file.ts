import { estimateO200kTokens } from '@herd/core';
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
  /** Its text cut into slices. */
  slices: string[];
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
  const parts = Math.min(1_024, Math.max(128, Math.round(file.text.length / 512)));
  const slices = sliceText(file.text, parts);
  const estimates = slices.map((slice) => estimateO200kTokens(slice));
  return {
    file,
    slices,
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
  const wanted: { sliced: SlicedFile; index: number }[] = [];
  for (const sliced of files) {
    sliced.slices.forEach((_, index) => {
      if (pick(sliced.seed, index) % sliced.step === 0 && !sliced.counted.has(index))
        wanted.push({ sliced, index });
    });
  }
  const counts = await pool.count(wanted.map(({ sliced, index }) => sliced.slices[index]!));
  wanted.forEach(({ sliced, index }, position) => {
    sliced.counted.set(index, { exact: counts[position]!, estimate: sliced.estimates[index]! });
  });
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

/**
 * Cuts text into about `parts` slices, at a line break where there is one nearby, else anywhere (not inside a
 * surrogate pair). A cut inside an o200k piece moves a slice's count by a token at most, which does not matter
 * for a ratio measured over dozens of slices.
 */
function sliceText(text: string, parts: number): string[] {
  const slices: string[] = [];
  const length = Math.ceil(text.length / parts);
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + length);
    const newline = text.indexOf('\n', end);
    if (newline !== -1 && newline < end + length / 4) end = newline + 1;
    else if (end < text.length && (text.charCodeAt(end) & 0xfc00) === 0xdc00) end++;
    slices.push(text.slice(start, end));
    start = end;
  }
  return slices;
}
