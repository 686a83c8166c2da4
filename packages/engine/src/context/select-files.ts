import { estimateO200kTokens } from '@herd/core';
import type { ContentStore } from './cache/content-store.js';
import type { PackCache, PackCacheEntry } from './cache/pack-cache.js';
import type { PackRepositoryOptions, PackSettings } from './pack-options.js';
import type { PackProgress } from './pack-progress.js';
import type { ExcludedFile } from './pack-stats.js';
import type { GitStatus } from './selection/git-status.js';
import { listRepositoryFiles, type RepositoryFileList } from './selection/list-repository-files.js';
import {
  type IncludedFile,
  type ReadResult,
  readRepositoryFiles,
} from './selection/read-repository-files.js';
import type { CountedFile } from './tokens/counted-file.js';

/** The files a pack is made of, and what it left out. */
export interface SelectedFiles {
  /** What is kept of the listing (its files are not kept past reading). */
  listed: Pick<RepositoryFileList, 'source' | 'unwatched' | 'warnings'> & {
    /** Every path considered. */
    seen: number;
  };
  /** What reading found, with the cache entries of every file looked at. */
  read: ReadResult;
  /** Files left out, with reasons. */
  excluded: ExcludedFile[];
  /** Files in the pack, in path order; their content is in the content store. */
  included: IncludedFile[];
  /** The same files, to count. */
  counted: CountedFile[];
}

/**
 * Lists and reads the files: what the document can be made of (the content scanner judges later, only what the
 * document shows; see `document-scan.ts`). The listing started earlier (alongside git status) is used when there
 * is one.
 */
export async function selectFiles(options: {
  options: PackRepositoryOptions;
  listing?: Promise<RepositoryFileList> | undefined;
  status?: Promise<GitStatus | undefined> | undefined;
  settings: PackSettings;
  root: string;
  cache: PackCache;
  progress: (progress: PackProgress) => void;
}): Promise<SelectedFiles> {
  const { settings, root, cache, progress, listing, status } = options;
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
  // The paths git ignores come first, as when git status lists them.
  const excluded = [...((await listed.ignoredLater) ?? []), ...listed.excluded, ...read.excluded];
  const included = read.included;
  const counted = included.map((file) => new StoredFile(file, cache.store));
  // What is needed of the listing; its files (and their absolute paths) are not kept past reading.
  const seen = listed.files.length + excluded.length - read.excluded.length;
  const { source, unwatched, warnings } = listed;
  return {
    listed: { source, unwatched, warnings, seen },
    read,
    excluded,
    included,
    counted,
  };
}

/** A {@link CountedFile} whose content is read from the content store (a class: no closure per file). */
class StoredFile implements CountedFile {
  readonly path: string;
  estimate: number;
  tokens: number;
  exact: boolean;
  readonly #entry: PackCacheEntry;
  readonly #store: ContentStore;

  constructor(file: IncludedFile, store: ContentStore) {
    const { entry } = file;
    this.path = file.path;
    this.#entry = entry;
    this.#store = store;
    this.estimate = entry.estimate ?? estimateO200kTokens(this.text());
    this.tokens = entry.tokens ?? 0;
    this.exact = entry.tokens !== undefined;
  }

  text(): string {
    return this.#store.text(this.#entry);
  }
}
