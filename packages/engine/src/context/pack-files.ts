import { createHash } from 'node:crypto';
import { accessSync, constants, rmSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { estimateO200kTokens, UserError } from '@herd/core';
import { prepareHerdDirectory } from '../herd/herd-directory.js';
import {
  loadPackCache,
  type OverheadCount,
  type PackCache,
  type PackCacheEntry,
  savePackCache,
  writePackContents,
} from './cache/pack-cache.js';
import {
  discardPackedDocument,
  readMatchesWorkTree,
  savePackedResult,
  type WorkTreeState,
  writePackedDocument,
} from './cache/packed-result-cache.js';
import { createDocumentScan, type DocumentScan, settleScannedStats } from './document-scan.js';
import { type PackRepositoryOptions, type PackSettings, PackSettingsSchema } from './pack-options.js';
import type { PackResult } from './pack-result.js';
import type { PackStats } from './pack-stats.js';
import { chooseFence } from './render/choose-fence.js';
import { renderDirectoryTree } from './render/render-directory-tree.js';
import { renderPackedDocument } from './render/render-packed-document.js';
import { secretRedactionKey } from './secrets/redact-secrets.js';
import type { GitStatus } from './selection/git-status.js';
import { listRepositoryFiles, type RepositoryFileList } from './selection/list-repository-files.js';
import { type IncludedFile, readRepositoryFiles } from './selection/read-repository-files.js';
import { type CountedFile, calibrateTokenCounts, countLargeText } from './tokens/calibrate-token-counts.js';
import type { TokenCountPool } from './tokens/token-count-pool.js';
import { createTokenCountPool, defaultWorkerCount } from './tokens/token-count-pool.js';

// Within this share of the budget an extrapolated total cannot decide whether the repository fits.
const boundaryMargin = 0.03;

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
}

/**
 * Packs a repository from its files: lists, reads (through the pack cache), counts, and renders them whole or
 * as a map, then keeps the result for the next pack of an unchanged work tree. The part of
 * {@link packRepository} that runs when no kept result can be reused.
 *
 * @throws UserError when the root is missing or unreadable, the options are invalid, or the budget cannot
 *   hold even the repository map.
 */
export async function packFiles(input: PackFilesOptions): Promise<PackResult> {
  const { options, started, keep } = input;
  const settings = parseSettings(options);
  const root = checkRoot(settings.root);
  const progress = options.onProgress ?? (() => {});
  const counterName = options.tokenCounter?.name ?? 'o200k';
  // Cached content is stored redacted: another detector or other secret values make it stale.
  const cacheKey = JSON.stringify({
    counter: counterName,
    selection: settings.selection,
    redaction: secretRedactionKey(),
  });
  const { listing, status } = input;
  // Caches live in .herd, created with the .gitignore that keeps it out of git; a .herd that is a link or a file
  // is never read or written through.
  const cacheProblem = settings.cache ? prepareCacheDirectory(root) : undefined;
  const cached = settings.cache && cacheProblem === undefined;
  const cache: PackCache = cached
    ? loadPackCache({ root, key: cacheKey })
    : { entries: new Map(), contents: '' };
  const workers = options.tokenCounter ? 0 : (settings.workers ?? defaultWorkerCount());
  const basePool = createTokenCountPool({ workers });
  const counter = options.tokenCounter;
  const pool = counter
    ? {
        count: async (texts: readonly string[]) => texts.map((text) => counter.count(text)),
        warmUp: () => {},
        close: basePool.close,
      }
    : basePool;
  // A first pack counts: have the tokenizer's table built on another thread (packRepository usually has already).
  if (cache.entries.size === 0) pool.warmUp();
  let contentsWritten: Promise<string> | undefined;
  try {
    progress({ phase: 'list', done: 0, total: 0 });
    const listed = await (listing ??
      listRepositoryFiles({ root, exclude: settings.selection.exclude, ...(status ? { status } : {}) }));
    progress({ phase: 'list', done: listed.files.length, total: listed.files.length });

    const total = listed.files.length;
    const read = await readRepositoryFiles({
      files: listed.files,
      cache,
      selection: settings.selection,
      onRead: (done) => progress({ phase: 'read', done, total }),
    });
    const excluded = [...listed.excluded, ...read.excluded];
    const included = read.included;
    // The content scanner judges only what reaches the document, at the points below where that is known.
    const scan = options.scanContent
      ? createDocumentScan({ scanner: options.scanContent, key: options.scanContentKey ?? 'unkeyed' })
      : undefined;
    // Content read in this pack goes to the content store on the thread pool while tokens are counted.
    contentsWritten =
      cached && included.some((file) => file.read) ? startContentsWrite({ root, included }) : undefined;
    contentsWritten?.catch(() => {});

    const counted = included.map(toCounted);
    const countTotal = counted.filter((file) => !file.exact).length;
    let countDone = 0;
    progress({ phase: 'count', done: 0, total: countTotal });
    const onCounted = (files: number) => {
      countDone += files;
      progress({ phase: 'count', done: countDone, total: countTotal });
    };
    await calibrateTokenCounts({
      files: counted,
      pool,
      exact: settings.exact || counter !== undefined,
      onCounted,
    });

    let fence = fenceOf(included);
    const rootName = basename(root);
    const countedOf = new Map(included.map((file, index) => [file, counted[index]!]));
    // After the scanner changed a text: every count as a pack of the changed files would make it (calibration picks
    // the same sample whatever was counted before, and reuses the exact counts it has).
    const recount = async () => {
      for (const [file, count] of countedOf) {
        if (count.text === file.text) continue;
        Object.assign(count, toCounted(file));
      }
      await calibrateTokenCounts({ files: counted, pool, exact: settings.exact || counter !== undefined });
    };
    // The whole document of `files`, counted; near the budget, counted exactly.
    const measureWhole = async (files: readonly IncludedFile[]) => {
      const counts = files.map((file) => countedOf.get(file)!);
      const render = () =>
        renderPackedDocument({
          fence,
          rootName,
          mode: 'whole',
          includedFiles: files.length,
          outline: renderDirectoryTree(files.map((file) => file.path)),
          files: counts.map((file, index) => ({ ...file, bytes: files[index]!.bytes })),
        });
      let whole = render();
      let overhead = await countOverhead({
        text: whole.overhead,
        pool,
        exact: settings.exact,
        cached: cache.overhead,
      });
      let documentTokens = sum(counts.map((file) => file.tokens)) + overhead.tokens;
      const uncertain = counts.some((file) => !file.exact);
      if (uncertain && Math.abs(documentTokens - settings.budget) <= settings.budget * boundaryMargin) {
        // Close to the budget the decision depends on the exact count, so count everything exactly.
        await calibrateTokenCounts({ files: counts, pool, exact: true, onCounted });
        whole = render();
        overhead = await countOverhead({ text: whole.overhead, pool, exact: true, cached: cache.overhead });
        documentTokens = sum(counts.map((file) => file.tokens)) + overhead.tokens;
      }
      return { whole, overhead, documentTokens };
    };
    progress({ phase: 'render', done: 0, total: 1 });
    // Whole or map is decided on every file that passed selection, including any an earlier scan denied, so the
    // choice is the same whatever earlier packs scanned.
    let measured = await measureWhole(included);
    if (scan && measured.documentTokens <= settings.budget) {
      // Every file is about to reach the planner: the scanner judges them all.
      const shown = included.filter((file) => !scan.denied(file));
      if (await scan.review({ full: shown })) {
        await recount();
        fence = fenceOf(included);
        measured = await measureWhole(included);
      }
    }
    const denied = scan ? included.filter((file) => scan.denied(file)) : [];
    const inWhole = measured.documentTokens <= settings.budget;
    const whole = inWhole && denied.length > 0 ? await measureWhole(notDenied(included, scan)) : measured;
    const { overhead } = whole;
    for (const file of counted) {
      const entry = read.entries.get(file.path)!;
      entry.estimate = file.estimate;
      if (file.exact) entry.tokens = file.tokens;
    }

    const stats: PackStats = {
      root,
      mode: 'whole',
      source: listed.source,
      budget: settings.budget,
      files: {
        seen: listed.files.length + listed.excluded.length,
        included: included.length,
        inDocument: included.length,
        excluded: excluded.length,
      },
      bytes: sum(included.map((file) => file.bytes)),
      tokens: {
        files: sum(counted.map((file) => file.tokens)),
        document: whole.documentTokens,
        exactFiles: counted.filter((file) => file.exact).length,
        method: counted.every((file) => file.exact) ? 'exact' : 'sampled',
      },
      perFile: counted
        .map((file) => ({ path: file.path, tokens: file.tokens, exact: file.exact }))
        .sort((left, right) => right.tokens - left.tokens || (left.path < right.path ? -1 : 1)),
      excluded: excluded.sort((left, right) =>
        left.path < right.path ? -1 : left.path > right.path ? 1 : 0,
      ),
      cut: [],
      mapTrimmed: 0,
      redactions: included.flatMap((file) =>
        (file.entry.findings ?? []).map((finding) => ({ path: file.path, ...finding })),
      ),
      flagged: [],
      warnings: [...listed.warnings, ...read.warnings, ...(cacheProblem ? [cacheProblem] : [])],
      cache: {
        hits: included.filter((file) => !file.read).length,
        misses: included.filter((file) => file.read).length,
      },
      durationMs: 0,
    };

    let document = whole.whole.document;
    let shown: readonly IncludedFile[] = notDenied(included, scan);
    let dirty = included.some((file) => file.read);
    if (!inWhole) {
      progress({ phase: 'map', done: 0, total: included.length });
      // Loaded only here: the map brings tree-sitter, which a repository that fits never needs.
      const { packMap } = await import('./map/pack-map.js');
      const map = await packMap({
        root,
        settings,
        fence,
        rootName,
        included,
        counted,
        pool,
        stats,
        ...(scan ? { scan, recount } : {}),
      });
      document = map.document;
      shown = map.shown;
      dirty ||= map.extracted;
    }
    if (scan) {
      settleScannedStats({ stats, included, counted, scan, shown });
      dirty ||= scan.scans > 0;
      // The content store laid out before the scan holds text the scanner has since redacted: lay it out again.
      if (scan.changedText && contentsWritten) {
        const stale = contentsWritten;
        contentsWritten = undefined;
        const temporary = await stale.catch(() => undefined);
        if (temporary) rmSync(temporary, { force: true });
      }
    }
    progress({ phase: 'render', done: 1, total: 1 });
    // The document to keep is written on the thread pool while the pack cache is written here.
    // Only a result that git fully vouches for is kept: not one of a walk (the root lies outside git, or git
    // ignores it), nor one where git does not watch some tracked files.
    const keepable = cached && keep && listed.source === 'git' && listed.unwatched === 0 ? keep : undefined;
    const written = keepable ? writePackedDocument({ root, key: keepable.key, document }) : undefined;
    dirty ||=
      countDone > 0 || read.entries.size !== cache.entries.size || overhead.hash !== cache.overhead?.hash;
    // An unchanged repository leaves the cache as it is: nothing to rewrite.
    if (cached && dirty) {
      const written = contentsWritten;
      contentsWritten = undefined;
      await writeCache({ root, key: cacheKey, included, entries: read.entries, stats, overhead, written });
    }
    stats.durationMs = Math.round(performance.now() - started);
    const seen = await keepable?.fingerprinting;
    if (written && seen && readMatchesWorkTree({ state: seen, entries: read.entries }))
      await savePackedResult({ root, key: keepable!.key, fingerprint: seen.fingerprint, written, stats });
    else if (written) await discardPackedDocument(written);
    return { document, stats };
  } finally {
    await pool.close();
    // A pack that failed after starting the content store's write leaves no temporary file behind.
    const temporary = await contentsWritten?.catch(() => undefined);
    if (temporary) rmSync(temporary, { force: true });
  }
}

function parseSettings(options: PackRepositoryOptions): PackSettings {
  const {
    tokenCounter: _counter,
    onProgress: _progress,
    scanContent: _scanner,
    scanContentKey: _scannerKey,
    ...plain
  } = options;
  const parsed = PackSettingsSchema.safeParse(plain);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'options';
  throw new UserError({
    code: 'pack_options_invalid',
    message: `The pack option ${field} is invalid (${issue.message}); pass a valid value.`,
    hint: field === 'budget' ? 'The budget is a positive whole number of tokens, e.g. 300000.' : undefined,
  });
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

/** The document's fence for these files' paths and current contents. */
function fenceOf(files: readonly IncludedFile[]): string {
  return chooseFence({ paths: files.map((file) => file.path), contents: files.map((file) => file.text) });
}

/** The files the content scanner has not denied. */
function notDenied(files: readonly IncludedFile[], scan: DocumentScan | undefined): readonly IncludedFile[] {
  return scan ? files.filter((file) => !scan.denied(file)) : files;
}

function toCounted(file: IncludedFile): CountedFile {
  const { entry } = file;
  return {
    path: file.path,
    text: file.text,
    estimate: entry.estimate ?? estimateO200kTokens(file.text),
    tokens: entry.tokens ?? 0,
    exact: entry.tokens !== undefined,
  };
}

/** Makes `.herd` ready for the caches; says why not when it cannot hold them. */
function prepareCacheDirectory(root: string): string | undefined {
  try {
    prepareHerdDirectory(root);
    return undefined;
  } catch (error) {
    return `No pack cache is kept: ${(error as Error).message}`;
  }
}

/** Assigns each included file its place in the content store and starts writing the store. */
function startContentsWrite(options: { root: string; included: readonly IncludedFile[] }): Promise<string> {
  return writePackContents({ root: options.root, contents: layOutContents(options.included) });
}

/** Places each included file in the content store (its offset and length) and returns the store's text. */
function layOutContents(included: readonly IncludedFile[]): string {
  const parts: string[] = [];
  let offset = 0;
  for (const file of included) {
    file.entry.offset = offset;
    file.entry.length = file.text.length;
    parts.push(file.text);
    offset += file.text.length;
  }
  return parts.join('');
}

async function writeCache(options: {
  root: string;
  key: string;
  included: readonly IncludedFile[];
  entries: Map<string, PackCacheEntry>;
  stats: PackStats;
  overhead: OverheadCount;
  /** The content store, when its write started after reading. */
  written: Promise<string> | undefined;
}): Promise<void> {
  try {
    const written = await options.written?.catch(() => undefined);
    let contents: string | { written: string };
    if (written) contents = { written };
    else contents = layOutContents(options.included);
    savePackCache({
      root: options.root,
      key: options.key,
      entries: options.entries,
      contents,
      overhead: options.overhead,
    });
  } catch (error) {
    options.stats.warnings.push(
      `The pack cache under ${options.root}/.herd/cache could not be written (${(error as Error).message}); the next pack will read every file again.`,
    );
  }
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

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
