import type { ContentStore } from './cache/content-store.js';
import type { DocumentOutput } from './document-output.js';
import { writeText } from './document-output.js';
import type { DocumentScan } from './document-scan.js';
import type { PackSettings } from './pack-options.js';
import type { PackStats } from './pack-stats.js';
import { chooseFence } from './render/choose-fence.js';
import type { WholeMeasure } from './render/measure-whole-document.js';
import { type WholeDocumentOptions, writeWholeDocument } from './render/write-whole-document.js';
import type { IncludedFile } from './selection/read-repository-files.js';
import type { CountedFile } from './tokens/counted-file.js';
import type { TokenCountPool } from './tokens/token-count-pool.js';

/** Options for {@link writeDocument}. */
export interface WriteDocumentOptions {
  root: string;
  settings: PackSettings;
  /** The whole document's parts, with its counts already measured. */
  whole: WholeDocumentOptions;
  measured: WholeMeasure;
  /** Measures the whole document again (after the fence changed). */
  measure: (exact: boolean) => Promise<WholeMeasure>;
  /** Whether the whole repository fits the budget (decided on every selected file, denied ones included). */
  fits: boolean;
  included: readonly IncludedFile[];
  counted: readonly CountedFile[];
  store: ContentStore;
  pool: TokenCountPool;
  /** Updated in place when the document becomes a map, or its count changes. */
  stats: PackStats;
  output: DocumentOutput;
  onMap: () => void;
  /** The content scanner's point, when there is a scanner: a map has it judge what the map shows. */
  scan?: DocumentScan | undefined;
  /** Counts the files the scanner changed again. */
  recount?: () => Promise<void>;
}

/**
 * Writes the document to the output: the whole repository when it fits the budget, streamed from the content
 * store, otherwise a map (see `packMap`). Returns the final measure of the whole document, whether the map
 * extracted symbols or imports the cache did not have, and the files whose text or symbols the document shows
 * (undefined for a whole document: every file the scanner did not deny).
 */
export async function writeDocument(
  options: WriteDocumentOptions,
): Promise<{ measured: WholeMeasure; extracted: boolean; shown?: IncludedFile[] }> {
  const { settings, whole, included, store, output, stats } = options;
  let { measured } = options;
  if (options.fits) {
    if (writeWholeDocument({ ...whole, fd: output.fd, store })) return { measured, extracted: false };
    // A file contains the suffix: draw one that none contains, and count and write again.
    whole.fence = chooseFence({
      paths: included.map((file) => file.path),
      texts: [whole.outline, ...textsOf(included, store)],
    });
    measured = await options.measure(settings.exact || measured.exact);
    stats.tokens.document = measured.documentTokens;
    if (measured.documentTokens <= settings.budget) {
      writeWholeDocument({ ...whole, fd: output.fd, store });
      return { measured, extracted: false };
    }
  }
  whole.files = [];
  options.onMap();
  // Loaded only here: the map brings tree-sitter, which a repository that fits never needs.
  const { packMap } = await import('./map/pack-map.js');
  const map = await packMap({
    root: options.root,
    settings,
    fence: whole.fence,
    rootName: whole.rootName,
    included,
    counted: options.counted,
    store,
    pool: options.pool,
    stats,
    ...(options.scan ? { scan: options.scan } : {}),
    ...(options.recount ? { recount: options.recount } : {}),
  });
  writeText(output.fd, map.document);
  return { measured, extracted: map.extracted, shown: map.shown };
}

/** Each included file's content, read one at a time. */
function* textsOf(included: readonly IncludedFile[], store: ContentStore): Generator<string> {
  for (const file of included) yield store.text(file.entry);
}
