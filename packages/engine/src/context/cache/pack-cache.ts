import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExclusionReason } from '../pack-stats.js';
import type { SecretFinding } from '../secrets/redact-secrets.js';

/** What the cache remembers about one file, valid while its size and modification time are unchanged. */
export interface PackCacheEntry {
  /** Size in bytes when last read. */
  size: number;
  /** Modification time in milliseconds when last read. */
  mtimeMs: number;
  /** SHA-1 of the bytes, so a touched but unchanged file keeps its counts and symbols. */
  hash: string;
  /** Why the file was left out after reading it, if it was. */
  exclusion?: { reason: ExclusionReason; detail: string };
  /** Where the file's packed content (after redaction) starts in the content store, in UTF-16 units. */
  offset?: number;
  /** Length of the packed content in the content store. */
  length?: number;
  /** The fast token estimate of the packed content. */
  estimate?: number;
  /** The exact token count, when the file was counted exactly. */
  tokens?: number;
  /** Where built-in redaction found secrets. */
  findings?: SecretFinding[];
  /** The key of the content scanner that judged (and possibly redacted) the stored content, when one did. */
  scannedBy?: string;
  /** The key of the content scanner that judged the symbol lines the repository map shows of this file. */
  symbolsScannedBy?: string;
  /** The content scanner (`scannedBy`) asked to leave the file out of the document. */
  denied?: boolean;
  /** The content scanner's flags, when a scanner ran. */
  flagged?: string[];
  /** Top-level symbols, once extracted. */
  symbols?: string[];
  /** Import specifiers, once extracted. */
  imports?: string[];
}

/** The cache as loaded from `<root>/.herd/cache`. */
export interface PackCache {
  /** Entries by path. */
  entries: Map<string, PackCacheEntry>;
  /** The stored contents of every included file, sliced by entry offsets. */
  contents: string;
  /** Token count of the last whole document's overhead (tree, headers), by hash of that text. */
  overhead?: OverheadCount;
}

/** A cached token count of a document's overhead. */
export interface OverheadCount {
  /** SHA-1 of the overhead text. */
  hash: string;
  /** Its token count. */
  tokens: number;
  /** Whether the count is exact. */
  exact: boolean;
}

// 2: scanner verdicts carry the scanner's key, and a denial no longer excludes the file when it is read.
const formatVersion = 2;
const indexName = 'pack-index.json';
const contentsName = 'pack-contents.txt';

/** The cache directory of a root. */
export function packCacheDirectory(root: string): string {
  return join(root, '.herd', 'cache');
}

/**
 * Loads the cache of `root`, or an empty one when there is none, it is unreadable or it was written by another
 * format version or token counter. `key` names everything that changes packed content (counter, options).
 */
export function loadPackCache(options: { root: string; key: string }): PackCache {
  const directory = packCacheDirectory(options.root);
  try {
    const index = JSON.parse(readFileSync(join(directory, indexName), 'utf8')) as {
      version: number;
      key: string;
      entries: Record<string, PackCacheEntry>;
      overhead?: OverheadCount;
    };
    if (index.version !== formatVersion || index.key !== options.key) return emptyCache();
    const contents = readFileSync(join(directory, contentsName), 'utf8');
    return {
      entries: new Map(Object.entries(index.entries)),
      contents,
      ...(index.overhead ? { overhead: index.overhead } : {}),
    };
  } catch {
    return emptyCache();
  }
}

function emptyCache(): PackCache {
  return { entries: new Map(), contents: '' };
}

/**
 * Starts writing the packed contents to a temporary file on the thread pool, so the caller can count tokens
 * meanwhile; resolves to that file, to hand to {@link savePackCache} (or remove when the pack fails).
 */
export async function writePackContents(options: { root: string; contents: string }): Promise<string> {
  const directory = packCacheDirectory(options.root);
  await mkdir(directory, { recursive: true });
  const temporary = join(directory, `${contentsName}.${process.pid}.tmp`);
  await writeFile(temporary, options.contents);
  return temporary;
}

/**
 * Writes the cache: entries, and the packed contents they point into (or the temporary file
 * {@link writePackContents} wrote them to). Writes go to temporary files renamed into place, so a concurrent or
 * interrupted pack never leaves a torn cache.
 */
export function savePackCache(options: {
  root: string;
  key: string;
  entries: Map<string, PackCacheEntry>;
  contents: string | { written: string };
  overhead?: OverheadCount | undefined;
}): void {
  const directory = packCacheDirectory(options.root);
  mkdirSync(directory, { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  const index = {
    version: formatVersion,
    key: options.key,
    overhead: options.overhead,
    entries: Object.fromEntries(options.entries),
  };
  const contentsFile =
    typeof options.contents === 'string' ? join(directory, contentsName + suffix) : options.contents.written;
  if (typeof options.contents === 'string') writeFileSync(contentsFile, options.contents);
  writeFileSync(join(directory, indexName + suffix), JSON.stringify(index));
  renameSync(contentsFile, join(directory, contentsName));
  renameSync(join(directory, indexName + suffix), join(directory, indexName));
}
