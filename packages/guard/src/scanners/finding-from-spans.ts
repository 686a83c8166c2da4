import type { ScannerFinding, TextSpan } from './scanner.js';

/**
 * The finding of a scanner that reports where it matched: score 1 with the matched labels as categories when there
 * are spans, score 0 otherwise. Spans are sorted by position.
 */
export function findingFromSpans(options: { spans: TextSpan[]; reasonPrefix: string }): ScannerFinding {
  const spans = [...options.spans].sort((left, right) => left.start - right.start);
  const categories = [...new Set(spans.map((span) => span.label))];
  return {
    score: spans.length > 0 ? 1 : 0,
    categories,
    spans,
    ...(spans.length > 0 ? { reason: `${options.reasonPrefix}: ${categories.join(', ')}.` } : {}),
  };
}
