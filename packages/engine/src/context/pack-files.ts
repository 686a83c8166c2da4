import { accessSync, closeSync, constants, fstatSync, rmSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UserError } from '@herd/core';
import { prepareHerdSubdirectory } from '../herd/herd-directory.js';
import {
  loadPackCache,
  type OverheadCount,
  type PackCache,
  type PackCacheEntry,
  savePackCache,
} from './cache/pack-cache.js';
import {
  keptDocumentTemporary,
  readMatchesWorkTree,
  savePackedResult,
  type WorkTreeState,
} from './cache/packed-result-cache.js';
import { userCacheKey } from './cache/user-cache-key.js';
import { type DocumentOutput, openDocumentOutput } from './document-output.js';
import { createDocumentScan, type DocumentScan, settleScannedStats } from './document-scan.js';
import { type PackRepositoryOptions, type PackSettings, parsePackSettings } from './pack-options.js';
import type { PackProgress } from './pack-progress.js';
import type { PackStats } from './pack-stats.js';
import { openedDocument, type PackedDocument } from './packed-document.js';
import { fenceCandidate } from './render/choose-fence.js';
import { measureWhole } from './render/measure-whole-document.js';
import { renderDirectoryTree } from './render/render-directory-tree.js';
import type { WholeDocumentOptions } from './render/write-whole-document.js';
import { secretRedactionKey } from './secrets/redact-secrets.js';
import { selectFiles } from './select-files.js';
import type { GitStatus } from './selection/git-status.js';
import type { RepositoryFileList } from './selection/list-repository-files.js';
import type { IncludedFile } from './selection/read-repository-files.js';
import { calibrateTokenCounts } from './tokens/calibrate-token-counts.js';
import type { CountedFile } from './tokens/counted-file.js';
import { createTokenCountPool, defaultWorkerCount, type TokenCountPool } from './tokens/token-count-pool.js';
import { wholePackStats } from './whole-pack-stats.js';
import { writeDocument } from './write-document.js';

/** What {@link packRepository} has already started before handing over to {@link packFiles}. */
export interface PackFilesOptions {
  /** The caller's options, not yet checked. */
  options: PackRepositoryOptions;
  /** When the pack started (`performance.now()`). */
  started: number;
  /** The listing of the root, when already started (with the options' exclusions). */
  listing?: Promise<RepositoryFileList> | undefined;
  /** git's look at the work tree, when already started; the listing shares it. */
  status?: Promise<GitStatus | undefined> | undefined;
  /** Where to keep the result for an unchanged work tree, and what git saw; absent when results are not kept. */
  keep?: {
    /** The key of the kept result. */
    key: string;
    /** git's look at the work tree, under way or done. */
    fingerprinting: Promise<WorkTreeState | undefined>;
  };
  /** Where to write a document that is not kept (the caller's output); a temporary file when absent. */
  documentPath?: string;
}

/**
 * Packs a repository from its files: lists, reads (through the pack cache), counts, and renders them whole or
 * as a map, then keeps the result for the next pack of an unchanged work tree. The part of
 * {@link packRepository} that runs when no kept result can be reused. File contents go to the cache's content
 * store as they are read and the document is written to a file, so memory holds one file (or one batch of
 * counting) at a time, never the repository's text.
 *
 * @throws UserError when the root is missing or unreadable, the options are invalid, or the budget cannot
 *   hold even the repository map.
 */
export async function packFiles(
  input: PackFilesOptions,
): Promise<{ document: PackedDocument; stats: PackStats }> {
  const { options, started } = input;
  const settings = parsePackSettings(options);
  const root = checkRoot(settings.root);
  const progress = options.onProgress ?? (() => {});
  // Cached content is stored redacted: another detector or other secret values make it stale.
  const cacheKey = userCacheKey(
    JSON.stringify({
      counter: options.tokenCounter?.name ?? 'o200k',
      selection: settings.selection,
      redaction: secretRedactionKey(),
    }),
  );
  // Caches live in .herd, created with the .gitignore that keeps it out of git; a .herd that is a link or a file
  // is never read or written through.
  const cacheProblem = settings.cache ? prepareCacheDirectory(root) : undefined;
  const cached = settings.cache && cacheProblem === undefined;
  const cache = loadPackCache({ root, key: cacheKey, writable: cached });
  const pool = createPool(options, settings);
  // A first pack counts: have the tokenizer's table built on another thread, once git status is done (counting
  // comes after reading; before then, the table's thread would hold git back).
  if (cache.entries.size === 0)
    Promise.resolve(input.status).then(
      () => pool.warmUp(),
      () => pool.warmUp(),
    );
  let output: DocumentOutput | undefined;
  try {
    const selected = await selectFiles({ ...input, settings, root, cache, progress });
    const { listed, read, included, counted } = selected;
    // The content scanner judges only what reaches the document, at the points below where that is known.
    const scan = options.scanContent
      ? createDocumentScan({
          scanner: options.scanContent,
          key: options.scanContentKey ?? 'unkeyed',
          store: cache.store,
        })
      : undefined;
    const counting = await countFiles({
      ...{ counted, included, pool, settings, root, cache, progress, options },
      scan,
    });
    const { whole, measure } = counting;
    let { measured } = counting;
    const { fits } = counting;
    const stats = wholePackStats({ root, settings, selected, measured, cacheProblem });
    // Only a result that git fully vouches for is kept: not one of a walk (the root lies outside git, or git
    // ignores it), nor one where git does not watch some tracked files.
    const keep = input.keep;
    const keepable = cached && keep && listed.source === 'git' && listed.unwatched === 0 ? keep : undefined;
    output = openDocumentOutput({
      root,
      cached,
      kept: keepable ? keptDocumentTemporary({ root, key: keepable.key }) : undefined,
      path: input.documentPath,
    });
    const written = await writeDocument({
      ...{
        root,
        settings,
        whole,
        measured,
        measure,
        included,
        counted,
        store: cache.store,
        pool,
        stats,
        output,
        fits,
      },
      onMap: () => progress({ phase: 'map', done: 0, total: included.length }),
      ...(scan ? { scan, recount: counting.recount } : {}),
    });
    measured = written.measured;
    if (scan) {
      const shown = written.shown ?? included.filter((file) => !scan.denied(file));
      settleScannedStats({ stats, included, counted, scan, shown });
    }
    progress({ phase: 'render', done: 1, total: 1 });
    for (const file of counted) {
      const entry = read.entries.get(file.path)!;
      entry.estimate = file.estimate;
      if (file.exact) entry.tokens = file.tokens;
    }
    const overhead = measured.overhead ?? cache.overhead;
    const dirty =
      written.extracted ||
      (scan?.scans ?? 0) > 0 ||
      counting.counted > 0 ||
      included.some((file) => file.read) ||
      read.entries.size !== cache.entries.size ||
      overhead?.hash !== cache.overhead?.hash;
    // An unchanged repository leaves the cache as it is: nothing to rewrite.
    if (cached && dirty)
      writeCache({ root, key: cacheKey, included, cache, entries: read.entries, stats, overhead });
    stats.durationMs = Math.round(performance.now() - started);
    const seen = await keepable?.fingerprinting;
    let kept: string | undefined;
    if (keepable && seen && readMatchesWorkTree({ state: seen, entries: read.entries }))
      kept = savePackedResult({
        root,
        key: keepable.key,
        fingerprint: seen.fingerprint,
        temporary: output.path,
        stats,
      });
    const document = openedDocument({
      fd: output.fd,
      size: fstatSync(output.fd).size,
      path: kept ?? output.path,
      temporary: kept === undefined && output.path !== input.documentPath ? output.path : undefined,
      // A kept document is never written again: the system copies it to an output, not this thread.
      source: kept,
    });
    output = undefined;
    return { document, stats };
  } finally {
    cache.store.close();
    await pool.close();
    // A pack that failed leaves no document behind.
    if (output) {
      closeSync(output.fd);
      rmSync(output.path, { force: true });
    }
  }
}

/** The pool that counts exactly: o200k over worker threads, or the caller's counter on this thread. */
function createPool(options: PackRepositoryOptions, settings: PackSettings): TokenCountPool {
  const counter = options.tokenCounter;
  const workers = counter ? 0 : (settings.workers ?? defaultWorkerCount());
  const pool = createTokenCountPool({ workers });
  if (!counter) return pool;
  return {
    count: async (texts: readonly string[]) => texts.map((text) => counter.count(text)),
    warmUp: () => {},
    close: pool.close,
  };
}

/**
 * Counts the files (a calibrated sample, or all of them exactly) and the whole document, counting everything
 * exactly when an extrapolated total is too close to the budget to decide whether the repository fits. Whether
 * the repository fits is decided on every selected file, those a content scanner denied included, so the choice
 * is the same whatever earlier packs scanned; when it fits, the scanner judges every file (all of them reach the
 * planner), and the whole document left is of the files it did not deny. Returns the whole document's parts,
 * their measure, a way to measure again, a way to count again the files the scanner changed, and how many files
 * were counted.
 */
async function countFiles(options: {
  counted: CountedFile[];
  included: readonly IncludedFile[];
  pool: TokenCountPool;
  settings: PackSettings;
  root: string;
  cache: PackCache;
  progress: (progress: PackProgress) => void;
  options: PackRepositoryOptions;
  scan: DocumentScan | undefined;
}) {
  const { counted, included, pool, settings, progress, scan } = options;
  const countTotal = counted.filter((file) => !file.exact).length;
  let countDone = 0;
  progress({ phase: 'count', done: 0, total: countTotal });
  const onCounted = (files: number) => {
    countDone += files;
    progress({ phase: 'count', done: countDone, total: countTotal });
  };
  const exactly = settings.exact || options.options.tokenCounter !== undefined;
  await calibrateTokenCounts({ files: counted, pool, exact: exactly, onCounted });
  progress({ phase: 'render', done: 0, total: 1 });
  const paths = included.map((file) => file.path);
  const whole: WholeDocumentOptions = {
    fence: fenceCandidate({ paths, attempt: 0 }),
    rootName: basename(options.root),
    // The tree and the files' headers are made only when the whole repository may fit: for a hundred thousand
    // files that go into a map they would be tens of megabytes of garbage.
    outline: '',
    files: [],
  };
  // The indices of the files the whole document is measured with: every file, or those the scanner did not deny.
  let indices: number[] = [];
  let outlined = -1;
  const prepare = () => {
    if (outlined !== indices.length && indices.length > 0) {
      whole.outline = renderDirectoryTree(indices.map((index) => paths[index]!));
      outlined = indices.length;
    }
    whole.files = indices.map((index) => ({
      path: paths[index]!,
      bytes: included[index]!.bytes,
      tokens: counted[index]!.tokens,
      exact: counted[index]!.exact,
      entry: included[index]!.entry,
    }));
  };
  // `all`: with the files the scanner denied, to decide whether the repository fits.
  const measure = (exact: boolean, all = false) => {
    indices = [];
    for (let index = 0; index < included.length; index++)
      if (all || !scan?.denied(included[index]!)) indices.push(index);
    const cached = options.cache.overhead;
    const files = indices.length === counted.length ? counted : indices.map((index) => counted[index]!);
    return measureWhole({ whole, prepare, counted: files, pool, exact, cached, budget: settings.budget });
  };
  const decide = async () => {
    const measured = await measure(settings.exact, true);
    if (!measured.uncertain) return measured;
    // Close to the budget the decision depends on the exact count, so count everything exactly.
    await calibrateTokenCounts({ files: counted, pool, exact: true, onCounted });
    return measure(true, true);
  };
  const at = new Map(included.map((file, index) => [file, index]));
  // After the scanner changed texts: their counts are estimates again, and every count is calibrated as a pack of
  // the changed files would make it (the sample is the same whatever was counted before; exact counts are kept).
  const recount = async () => {
    for (const file of scan?.takeChanged() ?? []) {
      const count = counted[at.get(file)!]!;
      count.estimate = file.entry.estimate!;
      count.tokens = 0;
      count.exact = false;
    }
    await calibrateTokenCounts({ files: counted, pool, exact: exactly });
  };
  let measured = await decide();
  if (scan && measured.documentTokens <= settings.budget) {
    // Every file is about to reach the planner: the scanner judges them all, and the decision is made again.
    if (await scan.review({ full: included.filter((file) => !scan.denied(file)) })) {
      await recount();
      measured = await decide();
    }
  }
  const fits = measured.documentTokens <= settings.budget;
  // The whole document shown leaves out what the scanner denied.
  if (fits && scan && included.some((file) => scan.denied(file)))
    measured = await measure(settings.exact || measured.exact);
  return { whole, measured, fits, measure, recount, counted: countDone };
}

function checkRoot(rootOption: string): string {
  const root = resolve(rootOption);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (error) {
    throw new UserError({
      code: 'pack_root_missing',
      message: `The directory to pack, ${root}, does not exist; pass an existing directory as the root.`,
      cause: error,
    });
  }
  if (!isDirectory) {
    throw new UserError({
      code: 'pack_root_not_directory',
      message: `The root to pack, ${root}, is a file, not a directory; pass the repository's directory.`,
    });
  }
  try {
    accessSync(root, constants.R_OK | constants.X_OK);
  } catch (error) {
    throw new UserError({
      code: 'pack_root_unreadable',
      message: `The directory to pack, ${root}, is not readable; check its permissions or pass another root.`,
      cause: error,
    });
  }
  return root;
}

/** Makes `.herd/cache` ready for the caches; says why not when it cannot hold them. */
function prepareCacheDirectory(root: string): string | undefined {
  try {
    prepareHerdSubdirectory(root, 'cache');
    return undefined;
  } catch (error) {
    return `No pack cache is kept: ${(error as Error).message}`;
  }
}

/**
 * Writes the pack cache: the entries, and the content store when content was put in it (moved into place).
 * A failure only costs the next pack its reuse, and is reported as a warning.
 */
function writeCache(options: {
  root: string;
  key: string;
  included: readonly IncludedFile[];
  cache: PackCache;
  entries: Map<string, PackCacheEntry>;
  stats: PackStats;
  overhead: OverheadCount | undefined;
}): void {
  const { cache } = options;
  let contents: string | undefined;
  try {
    contents = cache.store.finish(options.included.map((file) => file.entry));
    savePackCache({
      root: options.root,
      key: options.key,
      entries: options.entries,
      contents,
      previous: cache.contentsName,
      overhead: options.overhead,
    });
  } catch (error) {
    if (contents) rmSync(contents, { force: true });
    options.stats.warnings.push(
      `The pack cache under ${options.root}/.herd/cache could not be written (${(error as Error).message}); the next pack will read every file again.`,
    );
  }
}
