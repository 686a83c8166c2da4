import { estimateO200kTokens } from '@herd/core';
import type { ContentStore } from './cache/content-store.js';
import type { ContentScanner } from './content-scanner.js';
import type { ExcludedFile } from './pack-stats.js';
import type { IncludedFile } from './selection/read-repository-files.js';

/** Files after the content scanner: redacted, flagged or left out. */
export interface ScannerPhaseResult {
  /** Files still included, with scanner redactions applied. */
  included: IncludedFile[];
  /** Files the scanner asked to leave out (`denied`). */
  excluded: ExcludedFile[];
  /** Files the scanner flagged, with reasons. */
  flagged: { path: string; reasons: string[] }[];
}

const concurrency = 8;

/**
 * Runs the injected content scanner on every included file it has not judged yet (verdicts are kept in the
 * cache with the content), applies its redactions (the redacted content is stored anew) and collects its flags.
 */
export async function applyContentScanner(options: {
  files: readonly IncludedFile[];
  scanner: ContentScanner;
  store: ContentStore;
}): Promise<ScannerPhaseResult> {
  const { store } = options;
  const result: ScannerPhaseResult = { included: [], excluded: [], flagged: [] };
  const denied = new Set<string>();
  const pending = options.files.filter((file) => !file.entry.scanned);
  let next = 0;
  const work = async () => {
    while (next < pending.length) {
      const file = pending[next++]!;
      const content = store.text(file.entry);
      const verdict = await options.scanner({ path: file.path, content });
      let text = content;
      for (const redaction of verdict.redactions) {
        if (redaction.text.length === 0) continue;
        text = text.split(redaction.text).join(`[redacted:${redaction.rule}]`);
        file.entry.findings = [
          ...(file.entry.findings ?? []),
          { line: redaction.line, rule: redaction.rule },
        ];
      }
      if (text !== content) {
        store.put(file.entry, text);
        file.entry.endsLine = text.length === 0 || text.endsWith('\n');
        file.entry.estimate = estimateO200kTokens(text);
        delete file.entry.tokens;
        file.read = true;
      }
      file.entry.scanned = true;
      if (verdict.flagged.length > 0) file.entry.flagged = [...verdict.flagged];
      if (verdict.exclude) {
        denied.add(file.path);
        file.entry.exclusion = { reason: 'denied', detail: 'content scanner' };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, work));
  for (const file of options.files) {
    if (denied.has(file.path) || file.entry.exclusion) {
      result.excluded.push({ path: file.path, reason: 'denied', detail: 'content scanner' });
      continue;
    }
    result.included.push(file);
    if (file.entry.flagged) result.flagged.push({ path: file.path, reasons: file.entry.flagged });
  }
  return result;
}
