import type { PackSettings } from './pack-options.js';
import type { PackStats } from './pack-stats.js';
import { sum, type WholeMeasure } from './render/measure-whole-document.js';
import type { SelectedFiles } from './select-files.js';

/** The stats of a pack of the whole repository (a map pack updates them). */
export function wholePackStats(options: {
  root: string;
  settings: PackSettings;
  selected: SelectedFiles;
  measured: WholeMeasure;
  cacheProblem: string | undefined;
}): PackStats {
  const { root, settings, selected, measured } = options;
  const { listed, read, excluded, included, counted } = selected;
  return {
    root,
    mode: 'whole',
    source: listed.source,
    budget: settings.budget,
    files: {
      seen: listed.seen,
      included: included.length,
      inDocument: included.length,
      excluded: excluded.length,
    },
    bytes: sum(included.map((file) => file.bytes)),
    tokens: {
      files: measured.fileTokens,
      document: measured.documentTokens,
      exactFiles: counted.filter((file) => file.exact).length,
      method: measured.exact ? 'exact' : 'sampled',
    },
    perFile: counted
      .map((file) => ({ path: file.path, tokens: file.tokens, exact: file.exact }))
      .sort((left, right) => right.tokens - left.tokens || (left.path < right.path ? -1 : 1)),
    excluded: excluded.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0)),
    cut: [],
    mapTrimmed: 0,
    redactions: included.flatMap((file) =>
      (file.entry.findings ?? []).map((finding) => ({ path: file.path, ...finding })),
    ),
    // The content scanner's flags are settled once the document is laid out (`settleScannedStats`).
    flagged: [],
    warnings: [...listed.warnings, ...read.warnings, ...(options.cacheProblem ? [options.cacheProblem] : [])],
    cache: {
      hits: included.filter((file) => !file.read).length,
      misses: included.filter((file) => file.read).length,
    },
    durationMs: 0,
  };
}
