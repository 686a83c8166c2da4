import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
// Only what reusing a kept result needs is imported up front: an unchanged repository is answered without loading
// the tokenizer, the schemas or the file readers.
import { prepareHerdSubdirectory } from '../herd/herd-directory.js';
import { keptResultExists, loadPackedResult, workTreeFingerprint } from './cache/packed-result-cache.js';
import { userCacheKey } from './cache/user-cache-key.js';
import { type PackRepositoryOptions, parsePackSettings } from './pack-options.js';
import type { PackResult } from './pack-result.js';
import type { PackStats } from './pack-stats.js';
import type { PackedDocument } from './packed-document.js';
import { secretRedactionKey } from './secrets/redact-secrets.js';
import { type GitStatus, readGitStatus } from './selection/git-status.js';
import type { RepositoryFileList } from './selection/list-repository-files.js';

/**
 * Packs a repository for the planner: the whole repository when it fits `budget`, otherwise a repository map
 * and the most relevant files in full. The same files, options and task give the same document, whatever earlier
 * packs counted. A git work tree that is unchanged since the last pack with the same options gets that pack's
 * result back.
 *
 * @param options - See {@link PackRepositoryOptions}.
 * @throws UserError when the root is missing or unreadable, the options are invalid, or the budget cannot
 *   hold even the repository map.
 * @example
 * ```ts
 * const { document, stats } = await packRepository({ root: '.', budget: 300_000, task: 'fix the login bug' });
 * ```
 */
export async function packRepository(options: PackRepositoryOptions): Promise<PackResult> {
  const { document, stats } = await packRepositoryDocument(options);
  try {
    return { document: document.text(), stats };
  } finally {
    document.close();
  }
}

/**
 * Packs a repository like {@link packRepository}, but leaves the document on disk instead of in memory: copy it
 * to a file, stream it, or read it, then close it. A pack never holds the whole document (nor the repository's
 * text), so this is the way to pack a large repository in bounded memory; an unchanged work tree's document is
 * handed out as the kept file, without decoding or re-encoding it.
 *
 * @param placement - `path`: where to write a document that is not kept anyway (say, the temporary file beside
 *   an output), so that copying it there costs nothing.
 * @example
 * ```ts
 * const { document, stats } = await packRepositoryDocument({ root: '.', budget: 300_000 });
 * try { document.copyTo('packed.txt'); } finally { document.close(); }
 * ```
 */
export async function packRepositoryDocument(
  options: PackRepositoryOptions,
  placement: { path?: string } = {},
): Promise<{ document: PackedDocument; stats: PackStats }> {
  const started = performance.now();
  // Invalid options are refused before anything is written (the index copy's directory is made early).
  parsePackSettings(options);
  const root = typeof options.root === 'string' && options.root !== '' ? resolve(options.root) : undefined;
  const key = root !== undefined ? keptResultKey(options, root) : undefined;
  const kept = root !== undefined && key !== undefined && keptResultExists({ root, key });
  const { status, gitStarted } = lookAtWorkTree({ root, key, kept });
  const fingerprinting =
    root !== undefined && key !== undefined && status ? workTreeFingerprint({ root, status }) : undefined;
  // While git looks at the work tree (another process), read the last result: on an unchanged tree it is the answer.
  // Only once git is started: starting it takes this thread too (the configuration check, the spawn), and reading
  // the result first (its file list is megabytes of JSON on a large repository) held git back by that long.
  const last =
    root !== undefined && key !== undefined && kept
      ? await Promise.race([gitStarted, status]).then(() => loadPackedResult({ root, key }))
      : undefined;
  // With no last result the files will be listed anyway, so start now, alongside git status.
  const listing = last || root === undefined ? undefined : startListing({ root, options, status });
  if (last) {
    const state = await fingerprinting;
    if (state?.fingerprint === last.fingerprint) {
      options.onProgress?.({ phase: 'render', done: 1, total: 1 });
      const { stats } = last;
      return {
        document: last.document,
        stats: {
          ...stats,
          cache: { hits: stats.files.included, misses: 0 },
          durationMs: Math.round(performance.now() - started),
        },
      };
    }
    last.document.close();
  }
  const { packFiles } = await import('./pack-files.js');
  return packFiles({
    options,
    started,
    listing,
    status,
    keep: key !== undefined && fingerprinting ? { key, fingerprinting } : undefined,
    ...(placement.path !== undefined ? { documentPath: placement.path } : {}),
  });
}

/**
 * The key of the result kept for these options, or `undefined` when no result is kept (no cache, or a content
 * scanner without a key for its configuration). Made from the options as given, not as parsed: equal options
 * parse alike, and options that do not parse never had a result kept.
 */
function keptResultKey(options: PackRepositoryOptions, root: string): string | undefined {
  if (options.cache === false || (options.scanContent && options.scanContentKey === undefined))
    return undefined;
  const { tokenCounter, onProgress: _progress, scanContent: _scanner, scanContentKey, ...plain } = options;
  return userCacheKey(
    stableJson({
      ...plain,
      root,
      counter: tokenCounter?.name ?? 'o200k',
      scanner: scanContentKey ?? null,
      redaction: secretRedactionKey(),
    }),
  );
}

/**
 * Starts git's look at the work tree (`git status`). Where results are kept, git looks through Herd's copy of the
 * index in the cache, whose untracked cache spares it reading the directories that did not change since the last
 * look (and this look fills it for the next); such a status leaves out ignored paths (git fills no untracked cache
 * for one that lists them), which the listing gets apart (see listIgnoredPaths). Without a cache, one `git status`
 * on the index itself lists them all.
 */
function lookAtWorkTree(options: { root: string | undefined; key: string | undefined; kept: boolean }): {
  status: Promise<GitStatus | undefined> | undefined;
  /** Settles once git status itself is started (see runHostGit's `onStarted`). */
  gitStarted: Promise<void>;
} {
  const { root, key, kept } = options;
  const indexCopy = root !== undefined && key !== undefined ? indexCopyDirectory(root, kept) : undefined;
  let statusStarted = () => {};
  const gitStarted = new Promise<void>((resolve) => {
    statusStarted = resolve;
  });
  const status =
    root !== undefined
      ? readGitStatus(root, indexCopy ? { ignored: false, indexCopy, onStarted: statusStarted } : {})
      : undefined;
  return { status, gitStarted };
}

/**
 * The directory of Herd's copy of the index: the pack cache's, made now (with `.herd` and its `.gitignore`) when
 * no result is kept yet; `undefined` when it cannot be, as when `.herd` is a link or the root is not a directory
 * (git then looks at the index itself, and the pack says why no cache is kept).
 */
function indexCopyDirectory(root: string, kept: boolean): string | undefined {
  if (kept) return join(root, '.herd', 'cache');
  try {
    return statSync(root).isDirectory() ? prepareHerdSubdirectory(root, 'cache') : undefined;
  } catch {
    return undefined;
  }
}

/** Starts listing the root's files with the options' exclusions, when they are a plain list of patterns. */
function startListing(input: {
  root: string;
  options: PackRepositoryOptions;
  status: Promise<GitStatus | undefined> | undefined;
}): Promise<RepositoryFileList> | undefined {
  const { root, status } = input;
  const exclude = input.options.selection?.exclude ?? [];
  if (!Array.isArray(exclude) || !exclude.every((pattern) => typeof pattern === 'string')) return undefined;
  const listing = import('./selection/list-repository-files.js').then(({ listRepositoryFiles }) =>
    listRepositoryFiles({ root, exclude, ...(status ? { status } : {}) }),
  );
  // Its failure is reported where it is awaited.
  listing.catch(() => {});
  return listing;
}

/** JSON with object keys in sorted order, so that equal options give equal keys whatever their order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    field && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([left], [right]) => (left < right ? -1 : 1)))
      : field,
  );
}
