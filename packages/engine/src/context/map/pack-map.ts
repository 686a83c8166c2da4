import { UserError } from '@herd/core';
import type { ContentStore } from '../cache/content-store.js';
import type { DocumentScan } from '../document-scan.js';
import { languageOf } from '../languages/language-of.js';
import { ownCopy } from '../own-copy.js';
import type { PackSettings } from '../pack-options.js';
import type { PackStats } from '../pack-stats.js';
import { chooseFence } from '../render/choose-fence.js';
import { renderPackedDocument } from '../render/render-packed-document.js';
import type { IncludedFile } from '../selection/read-repository-files.js';
import type { CountedFile } from '../tokens/calibrate-token-counts.js';
import type { TokenCountPool } from '../tokens/token-count-pool.js';
import { buildRepositoryMap, type MapFile } from './build-repository-map.js';
import { createImportResolver, extractImports } from './extract-imports.js';
import { createSymbolExtractor, type SymbolExtractor } from './extract-symbols.js';
import { gitActivity } from './git-activity.js';
import { rankFiles } from './rank-files.js';
import { taskRelevance } from './task-relevance.js';

/** Options for {@link packMap}. */
export interface PackMapOptions {
  root: string;
  settings: PackSettings;
  /** The tag suffix to try first; another is drawn when the map or a file shown in full contains it. */
  fence: string;
  rootName: string;
  included: readonly IncludedFile[];
  counted: readonly CountedFile[];
  /** Where the included files' content is. */
  store: ContentStore;
  pool: TokenCountPool;
  /** Updated in place: mode, files in the document, cut files, document tokens. */
  stats: PackStats;
  /** The content scanner's point, when there is a scanner: it judges what the finished map shows. */
  scan?: DocumentScan | undefined;
  /** Counts every file again after the scanner changed a text (as a pack of the changed files would). */
  recount?: () => Promise<void>;
}

/** A map document and what it shows. */
export interface PackedMap {
  document: string;
  /** Whether symbols or imports were extracted (the pack cache has new entries). */
  extracted: boolean;
  /** The files whose whole text or whose symbol lines the document shows. */
  shown: IncludedFile[];
}

// The map's share of the budget; the rest goes to files in full. A small budget gives the map more.
const mapShareOfBudget = 0.25;
const headerAllowance = 40;
const largestParsedFile = 512 * 1024;

/**
 * Packs a repository that does not fit its budget: ranks files (task relevance, import-graph centrality,
 * recent git activity), puts the best-ranked ones in full while they fit, and lists the rest in a repository
 * map trimmed to its share. The document's token count is exact, and lower-ranked files are dropped until it
 * fits. Files are read one at a time from the content store: the repository's text is never held. With a
 * content scanner, what the finished document shows (files in full, symbol lines in the map) is
 * scanned before it is returned, and nothing else is; when the scanner changes or denies something, the map is
 * laid out again and what it then shows is scanned in turn.
 *
 * @throws UserError when the budget cannot hold even the coarsest map.
 */
export async function packMap(options: PackMapOptions): Promise<PackedMap> {
  const { included, counted, scan } = options;
  const byPath = new Map(included.map((file, index) => [file.path, { file, counted: counted[index]! }]));
  const [activity, extractor] = await Promise.all([
    gitActivity({ root: options.root }),
    createSymbolExtractor({ languages: included.map((file) => languageOf(file.path)) }),
  ]);
  let extracted = false;
  for (;;) {
    // Each layout draws another suffix when the map or a file shown in full contains the one it tries.
    const layout = await layOutMap({ ...options, byPath, activity, extractor });
    extracted ||= layout.extracted;
    const full = layout.full.map((path) => byPath.get(path)!.file);
    const symbols = layout.withSymbols.map((path) => byPath.get(path)!.file);
    if (!scan || !(await scan.review({ full, symbols })))
      return { document: layout.document, extracted, shown: [...full, ...symbols] };
    await options.recount?.();
  }
}

/** One layout of the map: ranks the files and fills the budget, leaving out files the scanner denied. */
async function layOutMap(
  options: PackMapOptions & {
    byPath: Map<string, { file: IncludedFile; counted: CountedFile }>;
    activity: Map<string, number>;
    extractor: SymbolExtractor;
  },
): Promise<{ document: string; extracted: boolean; full: string[]; withSymbols: string[] }> {
  const { settings, included, stats, byPath, scan, store } = options;
  const budget = settings.budget;
  let extracted = false;
  const packageNames = new Map<string, string>();
  for (const file of included) {
    if (!(file.path === 'package.json' || file.path.endsWith('/package.json'))) continue;
    try {
      const name = (JSON.parse(store.text(file.entry)) as { name?: unknown }).name;
      if (typeof name === 'string') packageNames.set(name, file.path.slice(0, -'package.json'.length - 1));
    } catch {
      // Not JSON (a template, or redacted): no package name.
    }
  }
  // Denied files still take part in the ranking, so that it is the same whatever earlier packs scanned.
  const paths = included.map((file) => file.path);
  const resolve = createImportResolver({ paths, packageNames });
  const imports = new Map<string, string[]>();
  for (const file of included) {
    const language = languageOf(file.path);
    if (!file.entry.imports) {
      // Own copies: a piece cut out of the file's text would keep all of it in memory.
      file.entry.imports = extractImports({ language, text: store.text(file.entry) }).map(ownCopy);
      extracted = true;
    }
    const targets = file.entry.imports.flatMap((specifier) =>
      resolve({ from: file.path, language, specifier }),
    );
    if (targets.length > 0) imports.set(file.path, targets);
  }
  const relevance = taskRelevance({
    task: settings.task,
    files: included.map((file) => ({ path: file.path, text: () => store.text(file.entry) })),
  });
  const denied = new Set(scan ? included.filter((file) => scan.denied(file)).map((file) => file.path) : []);
  const ranked = rankFiles({ paths, imports, relevance, activity: options.activity }).filter(
    (path) => !denied.has(path),
  );
  const symbolsOf = (mapFile: MapFile) => {
    const { file } = byPath.get(mapFile.path)!;
    if (!file.entry.symbols) {
      file.entry.symbols =
        file.bytes > largestParsedFile
          ? []
          : options.extractor
              .extract({ language: languageOf(file.path), text: store.text(file.entry) })
              .map(ownCopy);
      extracted = true;
    }
    return file.entry.symbols;
  };

  let share = Math.max(256, Math.floor(budget * mapShareOfBudget));
  // Fill the rest of the budget with files in full, best-ranked first, skipping any that do not fit.
  const full: string[] = [];
  let fileTokens = 0;
  for (const path of ranked) {
    const tokens = byPath.get(path)!.counted.tokens + headerAllowance;
    if (fileTokens + tokens > budget - share) continue;
    full.push(path);
    fileTokens += tokens;
  }
  // Files in full are few; count them exactly so their headers carry exact counts.
  const inexact = full.map((path) => byPath.get(path)!.counted).filter((file) => !file.exact);
  const exactCounts = await options.pool.count(inexact.map((file) => file.text()));
  inexact.forEach((file, index) => {
    file.tokens = exactCounts[index]!;
    file.exact = true;
  });
  let fence = options.fence;
  for (;;) {
    const fullSet = new Set(full);
    const map = buildRepositoryMap({
      ranked: ranked.map((path) => ({ path, full: fullSet.has(path) })),
      share,
      symbolsOf,
    });
    const files = [...full].sort().map((path) => {
      const { counted: count, file } = byPath.get(path)!;
      const { tokens, exact } = count;
      return { path, text: store.text(file.entry), bytes: file.bytes, tokens, exact };
    });
    if ([map.text, ...files.map((file) => file.text)].some((text) => text.includes(fence))) {
      // The map or a file in full contains the suffix: draw one that no included file contains.
      fence = chooseFence({
        paths,
        texts: (function* () {
          yield map.text;
          for (const file of included) yield store.text(file.entry);
        })(),
      });
    }
    const { document } = renderPackedDocument({
      fence,
      rootName: options.rootName,
      mode: 'map',
      includedFiles: ranked.length,
      outline: map.text,
      files,
    });
    const documentTokens = (await options.pool.count([document]))[0]!;
    if (documentTokens <= budget) {
      stats.mode = 'map';
      stats.files.inDocument = full.length;
      stats.tokens.document = documentTokens;
      stats.cut = paths.filter((path) => !fullSet.has(path) && !denied.has(path));
      stats.mapTrimmed = map.trimmed;
      return { document, extracted, full, withSymbols: map.withSymbols };
    }
    if (full.length > 0) {
      // Drop the lowest-ranked file in full (the last one added) and try again.
      full.pop();
      continue;
    }
    if (share <= 64) {
      throw new UserError({
        code: 'pack_budget_too_small',
        message: `A budget of ${budget} tokens cannot hold even the repository map of ${options.root} (${documentTokens} tokens at its smallest); raise the budget.`,
        hint: 'The budget is the served context window minus the system prompt, the task and the output reserve.',
      });
    }
    share = Math.floor(share * 0.6);
  }
}
