import { estimateO200kTokens } from '@herd/core';
import { countInBatches } from './count-in-batches.js';
import type { CountedFile } from './counted-file.js';
import { countSlices, type SlicedFile, sliceFile } from './sliced-file.js';
import type { TokenCountPool } from './token-count-pool.js';

export type { CountedFile } from './counted-file.js';

/** Options for {@link calibrateTokenCounts}. */
export interface CalibrateTokenCountsOptions {
  /** Files to count; `tokens` is filled in place. Files already `exact` are kept and used as sample. */
  files: CountedFile[];
  /** Exact counting. */
  pool: TokenCountPool;
  /** Count every file exactly. */
  exact: boolean;
  /** Called with the number of files counted so far. */
  onCounted?: (files: number) => void;
}

// Files are calibrated in strata of one extension under one two-level directory (tests and sources of the same
// language tokenize differently). Each stratum has a deterministic exact sample of at least this share of its
// estimated tokens and this many files; small strata, and small repositories, are simply counted exactly.
const sampleShare = 0.1;
const minimumSampleFiles = 8;
const countAllBelowTokens = 4_000;
const countRepositoryBelowTokens = 300_000;
// Two standard errors of the extrapolated part may be at most this share of the total.
const acceptedRisk = 0.004;
// Rounds in which a risky stratum doubles its sample before the rest of it is counted whole.
const doublingRounds = 4;
// Files estimated at this many tokens or more are calibrated from slices of their own text (see SlicedFile).
const largeFileTokens = 24_000;

/**
 * Fills in token counts: exact for a deterministic sample of each stratum (file type × two-level directory),
 * and for the rest the fast estimate scaled by the exact/estimate ratio measured on the stratum's sample (or
 * its file type's, when the stratum's sample is too small). Large files (24K estimated tokens and more) are
 * scaled by the ratio of slices of their own text instead (see {@link SlicedFile}). On real repositories the
 * total lands within 1% of an exact count at a fraction of its cost.
 */
export async function calibrateTokenCounts(options: CalibrateTokenCountsOptions): Promise<void> {
  // The sample is chosen as for a first pack, whatever earlier packs counted, so the same files give the same
  // counts and document; counts an earlier pack made exactly only spare counting those files again.
  const known = new Map<CountedFile, number>();
  for (const file of options.files) {
    if (!file.exact) continue;
    known.set(file, file.tokens);
    file.exact = false;
  }
  const { pool, onCounted } = options;
  const totalEstimate = options.files.reduce((sum, file) => sum + file.estimate, 0);
  const countAll = options.exact || totalEstimate < countRepositoryBelowTokens;
  // Large files calibrate themselves from slices of their own text; the rest are sampled by stratum.
  const large = countAll
    ? []
    : options.files
        .filter((file) => !file.exact && file.estimate >= largeFileTokens)
        .map((file) => sliceFile({ file, seed: hashPath(file.path) }));
  // Each large file's text was read to cut it into slices; the slices to count are read again when counted.
  await countSlices({ files: large, pool });
  const sliced = new Set(large.map(({ file }) => file));
  const files = options.files.filter((file) => !sliced.has(file));
  const strata = poolSmallStrata(
    groupBy(files, (file) => `${fileType(file.path)}|${directoryPrefix(file.path)}`),
  );
  const toCount = new Set<CountedFile>();
  for (const group of strata.values()) {
    const groupEstimate = group.reduce((sum, file) => sum + file.estimate, 0);
    if (countAll || groupEstimate < countAllBelowTokens || group.length <= minimumSampleFiles) {
      for (const file of group) if (!file.exact) toCount.add(file);
      continue;
    }
    let sampledEstimate = 0;
    let sampledFiles = 0;
    for (const file of group) {
      if (!file.exact) continue;
      sampledEstimate += file.estimate;
      sampledFiles++;
    }
    for (const file of inHashOrder(group.filter((file) => !file.exact))) {
      if (sampledEstimate >= groupEstimate * sampleShare && sampledFiles >= minimumSampleFiles) break;
      toCount.add(file);
      sampledEstimate += file.estimate;
      sampledFiles++;
    }
  }
  await countExactly({ files: [...toCount], pool, known, onCounted });
  // Further passes: while the strata's samples disagree with themselves enough that extrapolating could move the
  // total by more than a small share, the riskiest strata double their samples (the next files in hash order);
  // after a few doublings, whatever is still too risky is counted whole.
  for (let round = 0; ; round++) {
    const risks: { group: CountedFile[] | SlicedFile; risk: number }[] = [];
    for (const group of strata.values()) {
      const risk = extrapolationRisk(group);
      if (risk > 0) risks.push({ group, risk });
    }
    const more: CountedFile[] = [];
    const denser: SlicedFile[] = [];
    for (const file of large) {
      if (file.file.exact || file.risk === 0) continue;
      // Too few slices to measure a spread: count the file whole.
      if (!Number.isFinite(file.risk)) more.push(file.file);
      else risks.push({ group: file, risk: file.risk });
    }
    risks.sort((left, right) => right.risk - left.risk);
    let totalRisk = Math.sqrt(risks.reduce((sum, entry) => sum + entry.risk ** 2, 0));
    for (const { group, risk } of risks) {
      if (totalRisk <= totalEstimate * acceptedRisk) break;
      totalRisk = Math.sqrt(Math.max(0, totalRisk ** 2 - risk ** 2));
      if (!Array.isArray(group)) {
        // A large file too unsure counts twice as many of its slices, and after two such rounds is counted whole.
        if (group.step > 2) {
          group.step /= 2;
          denser.push(group);
        } else more.push(group.file);
        continue;
      }
      const unsampled = inHashOrder(group.filter((file) => !file.exact));
      const batch =
        round < doublingRounds ? Math.max(minimumSampleFiles, group.length - unsampled.length) : Infinity;
      more.push(...unsampled.slice(0, batch));
    }
    if (more.length === 0 && denser.length === 0) break;
    await countSlices({ files: denser, pool });
    await countExactly({ files: more, pool, known, onCounted });
  }
  const globalRatio = ratioOf(files);
  const typeRatios = new Map<string, number>();
  for (const [type, group] of groupBy(files, (file) => fileType(file.path))) {
    const sampled = group.filter((file) => file.exact);
    typeRatios.set(type, sampled.length >= minimumSampleFiles ? ratioOf(sampled) : globalRatio);
  }
  for (const group of strata.values()) {
    const sampled = group.filter((file) => file.exact);
    const ratio =
      sampled.length >= minimumSampleFiles
        ? ratioOf(sampled)
        : (typeRatios.get(fileType(group[0]!.path)) ?? globalRatio);
    for (const file of group) if (!file.exact) file.tokens = Math.max(1, Math.round(file.estimate * ratio));
  }
}

/**
 * Strata too small to sample are pooled by file type across directories (`ts|*`), so that a repository of many
 * small directories is sampled rather than counted whole; a pool that is still small is counted exactly.
 */
function poolSmallStrata(strata: Map<string, CountedFile[]>): Map<string, CountedFile[]> {
  const pooled = new Map<string, CountedFile[]>();
  for (const [name, group] of strata) {
    const estimate = group.reduce((sum, file) => sum + file.estimate, 0);
    const small = estimate < countAllBelowTokens || group.length <= minimumSampleFiles;
    const key = small ? `${fileType(group[0]!.path)}|*` : name;
    const pool = pooled.get(key);
    if (pool) pool.push(...group);
    else pooled.set(key, [...group]);
  }
  return pooled;
}

function groupBy(
  files: readonly CountedFile[],
  key: (file: CountedFile) => string,
): Map<string, CountedFile[]> {
  const groups = new Map<string, CountedFile[]>();
  for (const file of files) {
    const name = key(file);
    const group = groups.get(name);
    if (group) group.push(file);
    else groups.set(name, [file]);
  }
  return groups;
}

function directoryPrefix(path: string): string {
  const first = path.indexOf('/');
  if (first === -1) return '';
  const second = path.indexOf('/', first + 1);
  return second === -1 ? path.slice(0, first) : path.slice(0, second);
}

/** Counts files exactly, taking the counts an earlier pack made of unchanged files from `known`. */
async function countExactly(options: {
  files: readonly CountedFile[];
  pool: TokenCountPool;
  known: ReadonlyMap<CountedFile, number>;
  onCounted: ((files: number) => void) | undefined;
}): Promise<void> {
  const { files, known } = options;
  const unknown = files.filter((file) => !known.has(file));
  const counts = await countInBatches({
    texts: unknown.map((file) => () => file.text()),
    pool: options.pool,
    onCounted: options.onCounted,
  });
  unknown.forEach((file, index) => {
    file.tokens = counts[index]!;
  });
  for (const file of files) {
    if (known.has(file)) file.tokens = known.get(file)!;
    file.exact = true;
  }
}

/**
 * Two standard errors, in tokens, of extrapolating a stratum's unsampled files with its sample ratio: the
 * spread of the sampled files' ratios, weighted by size, scaled to the unsampled estimate.
 */
function extrapolationRisk(group: readonly CountedFile[]): number {
  const sampled = group.filter((file) => file.exact && file.estimate > 0);
  const unsampled = group.reduce((sum, file) => sum + (file.exact ? 0 : file.estimate), 0);
  if (unsampled === 0) return 0;
  if (sampled.length < minimumSampleFiles) return unsampled * 0.1;
  const ratio = ratioOf(sampled);
  const weight = sampled.reduce((sum, file) => sum + file.estimate, 0);
  let spread = 0;
  for (const file of sampled) spread += (file.tokens - ratio * file.estimate) ** 2;
  const share = weight / (weight + unsampled);
  const standardError = (Math.sqrt(spread) / weight) * Math.sqrt(1 - share);
  return 2 * standardError * unsampled;
}

function ratioOf(files: readonly CountedFile[]): number {
  let exact = 0;
  let estimate = 0;
  for (const file of files) {
    if (!file.exact) continue;
    exact += file.tokens;
    estimate += file.estimate;
  }
  return estimate > 0 ? exact / estimate : 1;
}

/** The file type a count is calibrated by: the extension, or the name when there is none. */
function fileType(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return name;
  // Keep compound kinds apart: declarations (.d.ts), tests (.test.js), minified and the like tokenize differently.
  const previous = name.lastIndexOf('.', dot - 1);
  const inner = previous > 0 ? name.slice(previous + 1, dot) : '';
  return inner.length > 0 && inner.length <= 5 && /^[a-z]+$/.test(inner)
    ? name.slice(previous + 1)
    : name.slice(dot + 1);
}

/** Files in a deterministic order that is unrelated to their content: by a hash of the path. */
function inHashOrder(files: readonly CountedFile[]): CountedFile[] {
  return files
    .map((file) => ({ file, key: hashPath(file.path) }))
    .sort((left, right) => left.key - right.key || (left.file.path < right.file.path ? -1 : 1))
    .map(({ file }) => file);
}

function hashPath(path: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < path.length; index++) {
    hash ^= path.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Counts a large generated text (a tree, the headers) the same way: exactly when short, else exact counts of
 * every eighth slice of lines, extrapolated by the estimate.
 */
export async function countLargeText(options: {
  text: string;
  pool: TokenCountPool;
  exact: boolean;
}): Promise<number> {
  const { text, pool } = options;
  if (options.exact || text.length < 200_000) return (await pool.count([text]))[0] ?? 0;
  const slices: string[] = [];
  const sliceLength = Math.ceil(text.length / 64);
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf('\n', start + sliceLength);
    const end = newline === -1 ? text.length : newline + 1;
    slices.push(text.slice(start, end));
    start = end;
  }
  const sample = slices.filter((_, index) => index % 8 === 3);
  const counts = await pool.count(sample);
  const sampleEstimate = sample.reduce((sum, slice) => sum + estimateO200kTokens(slice), 0);
  const ratio = sampleEstimate > 0 ? counts.reduce((sum, count) => sum + count, 0) / sampleEstimate : 1;
  return Math.round(slices.reduce((sum, slice) => sum + estimateO200kTokens(slice), 0) * ratio);
}
