import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExclusionReason } from '../pack-stats.js';
import type { SecretFinding } from '../secrets/redact-secrets.js';
import { type ContentStore, openContentStore } from './content-store.js';
import { writeJsonFile } from './write-json-file.js';

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
  /** Where the file's packed content (after redaction) starts in the content store, in bytes of UTF-8. */
  offset?: number;
  /** Length of the packed content in the content store, in bytes. */
  length?: number;
  /** Whether the packed content is empty or ends with a line break (the document's closing tag follows it then). */
  endsLine?: boolean;
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
  /** The kept content of every included file, read by entry offsets; new content is put here too. */
  store: ContentStore;
  /** The kept content file this cache was loaded with, if any (replaced when the cache is saved). */
  contentsName?: string;
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

// 3: content is stored as UTF-8 bytes in a file named by the index (2 on one branch), and scanner verdicts carry
// the scanner's key, a denial no longer excluding the file when it is read (2 on the other).
const formatVersion = 3;
const indexName = 'pack-index.json';
const contentsPrefix = 'pack-contents';

/** The cache directory of a root. */
export function packCacheDirectory(root: string): string {
  return join(root, '.herd', 'cache');
}

/**
 * Loads the cache of `root`, or an empty one when there is none, it is unreadable or it was written by another
 * format version or token counter. `key` names everything that changes packed content (counter, options). New
 * content goes to a temporary file in the cache directory, or to a private temporary file when `writable` is
 * false (a pack without a cache). The content file is opened here, so a concurrent pack that replaces it does not
 * change what this one reads.
 */
export function loadPackCache(options: { root: string; key: string; writable: boolean }): PackCache {
  const directory = packCacheDirectory(options.root);
  const temporary = options.writable
    ? join(directory, `${contentsPrefix}-${randomBytes(6).toString('hex')}.txt.${process.pid}.tmp`)
    : undefined;
  const empty = (): PackCache => ({ entries: new Map(), store: openContentStore({ temporary }) });
  if (!options.writable) return empty();
  mkdirSync(directory, { recursive: true });
  let fd: number | undefined;
  try {
    const index = JSON.parse(readFileSync(join(directory, indexName), 'utf8')) as {
      version: number;
      key: string;
      contents?: string;
      entries: Record<string, PackCacheEntry>;
      overhead?: OverheadCount;
    };
    if (index.version !== formatVersion || index.key !== options.key) return empty();
    if (index.contents !== undefined && /^pack-contents-[0-9a-f]+\.txt$/.test(index.contents))
      fd = openSync(join(directory, index.contents), 'r');
    return {
      entries: new Map(Object.entries(index.entries)),
      store: openContentStore({ existing: fd, temporary }),
      ...(fd !== undefined ? { contentsName: index.contents } : {}),
      ...(index.overhead ? { overhead: index.overhead } : {}),
    };
  } catch {
    return empty();
  }
}

/**
 * Writes the cache: the entries, and the content they point into when the pack stored new content (the store's
 * finished file, renamed into place under a new name). The index is written to a temporary file renamed into
 * place, so a concurrent or interrupted pack never leaves a torn cache, and it names its content file, so a pack
 * never reads another pack's content with its own offsets. Content files no index names any more are removed.
 */
export function savePackCache(options: {
  root: string;
  key: string;
  entries: Map<string, PackCacheEntry>;
  /** The store's finished file, when the pack stored new content; else the loaded content file stays. */
  contents: string | undefined;
  /** The content file the cache was loaded with. */
  previous: string | undefined;
  overhead?: OverheadCount | undefined;
}): void {
  const directory = packCacheDirectory(options.root);
  mkdirSync(directory, { recursive: true });
  let name = options.previous;
  if (options.contents !== undefined) {
    name = `${contentsPrefix}-${randomBytes(6).toString('hex')}.txt`;
    renameSync(options.contents, join(directory, name));
  }
  const temporary = join(directory, `${indexName}.${process.pid}.tmp`);
  // The entries a part at a time: at a hundred thousand files, one string of the whole index (and an object of every
  // entry to make it from) would cost more memory than the rest of the pack.
  writeJsonFile(temporary, {
    version: formatVersion,
    key: options.key,
    contents: name,
    overhead: options.overhead,
    entries: options.entries,
  });
  renameSync(temporary, join(directory, indexName));
  if (options.contents === undefined) return;
  for (const file of readdirSync(directory)) {
    if (file.startsWith(contentsPrefix) && file !== name && !file.endsWith('.tmp'))
      rmSync(join(directory, file), { force: true });
  }
}
