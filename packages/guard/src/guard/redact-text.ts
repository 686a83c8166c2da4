import type { TextSpan } from '../scanners/scanner.js';

/** Replaces each span (overlaps merged) with `[redacted:label]`. */
export function redactText(text: string, spans: readonly TextSpan[]): string {
  const ordered = [...spans].sort((left, right) => left.start - right.start);
  let result = '';
  let cursor = 0;
  for (const span of ordered) {
    if (span.end <= cursor) continue;
    result += text.slice(cursor, Math.max(cursor, span.start));
    result += `[redacted:${span.label}]`;
    cursor = span.end;
  }
  return result + text.slice(cursor);
}
