import { estimateO200kTokens } from '@herd/core';
import type { ContentStore } from './cache/content-store.js';
import type { ContentScanner, ContentVerdict } from './content-scanner.js';
import type { PackStats } from './pack-stats.js';
import type { IncludedFile } from './selection/read-repository-files.js';
import type { CountedFile } from './tokens/counted-file.js';

/**
 * The one point where the packer hands content to the content scanner: only what is about to reach the planner,
 * once per scanner and content (verdicts live in the pack cache's entries, and the scanner caches by hash).
 */
export interface DocumentScan {
  /** Whether the scanner asked to leave this file out (in this pack, or in an earlier one by the same scanner). */
  denied(file: IncludedFile): boolean;
  /**
   * Scans, in one batch, what the document is about to show that this scanner has not judged: the whole text of
   * each file in `full`, and the symbol lines the repository map shows of each file in `symbols` (a file whose
   * whole text was judged needs no second look). Applies the scanner's redactions and records its flags and
   * denials in the files' cache entries.
   *
   * @returns true when a text, a file's symbols or a denial changed: the document must be laid out again (and the
   *   new layout reviewed) before it is shown.
   */
  review(input: { full: readonly IncludedFile[]; symbols?: readonly IncludedFile[] }): Promise<boolean>;
  /** The files among `shown` that the scanner flagged, with its reasons, in the order given. */
  flagged(shown: readonly IncludedFile[]): { path: string; reasons: string[] }[];
  /** Files and symbol lists scanned in this pack (their entries changed: the pack cache must be written). */
  readonly scans: number;
  /**
   * The files whose text a scan redacted since the last call (their new text is in the content store, their counts
   * are estimates again): what the caller counts anew.
   */
  takeChanged(): IncludedFile[];
}

interface Subject {
  file: IncludedFile;
  /** `full`: the file's whole text; `symbols`: the symbol lines the map shows of it. */
  part: 'full' | 'symbols';
}

/**
 * Creates the packer's {@link DocumentScan} for one pack. `key` identifies the scanner's configuration: a verdict
 * recorded by a scanner with another key (say, before Prompt Guard was set up) is not trusted, and the content is
 * scanned again.
 */
export function createDocumentScan(options: {
  scanner: ContentScanner;
  key: string;
  /** Where the files' content is; a redacted text is stored there anew. */
  store: ContentStore;
}): DocumentScan {
  const { scanner, key, store } = options;
  let scans = 0;
  let changedText: IncludedFile[] = [];
  const judged = (file: IncludedFile) => file.entry.scannedBy === key;
  const symbolsJudged = (file: IncludedFile) => judged(file) || file.entry.symbolsScannedBy === key;
  return {
    denied: (file) => judged(file) && file.entry.denied === true,
    get scans() {
      return scans;
    },
    takeChanged() {
      const changed = changedText;
      changedText = [];
      return changed;
    },
    async review({ full, symbols = [] }) {
      const subjects: Subject[] = [];
      for (const file of full) if (!judged(file)) subjects.push({ file, part: 'full' });
      const inFull = new Set(full);
      for (const file of symbols) {
        if (inFull.has(file) || symbolsJudged(file) || (file.entry.symbols?.length ?? 0) === 0) continue;
        subjects.push({ file, part: 'symbols' });
      }
      if (subjects.length === 0) return false;
      scans += subjects.length;
      // Offered all at once, so the scanner can judge them in one batch.
      const verdicts = await Promise.all(
        subjects.map(({ file, part }) =>
          part === 'full'
            ? scanner({ path: file.path, content: store.text(file.entry), part: 'file' })
            : scanner({ path: file.path, content: symbolText(file), part: 'symbols' }),
        ),
      );
      let changed = false;
      subjects.forEach((subject, index) => {
        const verdict = verdicts[index] as ContentVerdict;
        // Flags an earlier scanner left are not this scanner's.
        if (!symbolsJudged(subject.file) && subject.file.entry.flagged) delete subject.file.entry.flagged;
        const applied =
          subject.part === 'full'
            ? applyToText(subject.file, verdict, store)
            : applyToSymbols(subject.file, verdict);
        if (applied === 'text') changedText.push(subject.file);
        if (applied !== 'none') changed = true;
        if (verdict.flagged.length > 0) {
          subject.file.entry.flagged = [
            ...new Set([...(subject.file.entry.flagged ?? []), ...verdict.flagged]),
          ];
        }
        if (subject.part === 'full') subject.file.entry.scannedBy = key;
        else subject.file.entry.symbolsScannedBy = key;
      });
      return changed;
    },
    flagged(shown) {
      return shown
        .filter((file) => symbolsJudged(file) && (file.entry.flagged?.length ?? 0) > 0)
        .map((file) => ({ path: file.path, reasons: [...(file.entry.flagged ?? [])] }));
    },
  };
}

/** The symbol lines of a file as the map shows them, one per line. */
function symbolText(file: IncludedFile): string {
  return (file.entry.symbols ?? []).join('\n');
}

/**
 * Applies a verdict on a file's whole text, which no scanner with this key had judged (so no denial of it was in
 * effect); says what changed.
 */
function applyToText(
  file: IncludedFile,
  verdict: ContentVerdict,
  store: ContentStore,
): 'none' | 'text' | 'denied' {
  const { entry } = file;
  const before = store.text(entry);
  let text = before;
  for (const redaction of verdict.redactions) {
    if (redaction.text.length === 0) continue;
    text = text.split(redaction.text).join(`[redacted:${redaction.rule}]`);
    entry.findings = [...(entry.findings ?? []), { line: redaction.line, rule: redaction.rule }];
  }
  if (verdict.exclude) entry.denied = true;
  else if (entry.denied !== undefined) delete entry.denied;
  if (text !== before) {
    // The redacted text is stored anew (the old place becomes garbage the store compacts away).
    store.put(entry, text);
    entry.endsLine = text.length === 0 || text.endsWith('\n');
    file.read = true;
    // Everything derived from the old text goes: counts, and symbols or imports that could repeat what was removed.
    entry.estimate = estimateO200kTokens(text);
    delete entry.tokens;
    delete entry.symbols;
    delete entry.imports;
    delete entry.symbolsScannedBy;
    return 'text';
  }
  return entry.denied === true ? 'denied' : 'none';
}

/** Applies a verdict on the symbol lines the map shows of a file; says what changed. */
function applyToSymbols(file: IncludedFile, verdict: ContentVerdict): 'none' | 'symbols' {
  const { entry } = file;
  if (verdict.exclude) {
    // The map lists the file by its path alone.
    entry.symbols = [];
    return 'symbols';
  }
  const before = symbolText(file);
  let text = before;
  for (const redaction of verdict.redactions) {
    if (redaction.text.length > 0) text = text.split(redaction.text).join(`[redacted:${redaction.rule}]`);
  }
  if (text === before) return 'none';
  entry.symbols = text.split('\n');
  return 'symbols';
}

/**
 * Brings the stats in line with the scanner's last word: files it denied count as excluded (`denied`), not
 * included; counts, bytes and redactions are of the files left; flags are those of the content shown.
 */
export function settleScannedStats(input: {
  stats: PackStats;
  included: readonly IncludedFile[];
  counted: readonly CountedFile[];
  scan: DocumentScan;
  /** The files whose text or symbols the document shows. */
  shown: readonly IncludedFile[];
}): void {
  const { stats, scan } = input;
  const kept = input.included.flatMap((file, index) =>
    scan.denied(file) ? [] : [{ file, counted: input.counted[index] as CountedFile }],
  );
  const denied = input.included.filter((file) => scan.denied(file));
  stats.flagged = scan.flagged(input.shown);
  stats.files.included = kept.length;
  if (stats.mode === 'whole') stats.files.inDocument = kept.length;
  stats.bytes = kept.reduce((total, { file }) => total + file.bytes, 0);
  stats.tokens.files = kept.reduce((total, { counted }) => total + counted.tokens, 0);
  stats.tokens.exactFiles = kept.filter(({ counted }) => counted.exact).length;
  stats.tokens.method = kept.every(({ counted }) => counted.exact) ? 'exact' : 'sampled';
  stats.perFile = kept
    .map(({ counted }) => ({ path: counted.path, tokens: counted.tokens, exact: counted.exact }))
    .sort((left, right) => right.tokens - left.tokens || (left.path < right.path ? -1 : 1));
  stats.redactions = kept.flatMap(({ file }) =>
    (file.entry.findings ?? []).map((finding) => ({ path: file.path, ...finding })),
  );
  if (denied.length === 0) return;
  stats.excluded = [
    ...stats.excluded,
    ...denied.map((file) => ({ path: file.path, reason: 'denied' as const, detail: 'content scanner' })),
  ].sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  stats.files.excluded = stats.excluded.length;
}
