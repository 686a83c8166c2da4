import type { SecretSpan } from './secret-detector.js';

/**
 * Replaces each span with `[redacted:LABEL]`. Overlapping spans are merged into one marker (labelled by the one that
 * starts first), so no part of a secret survives between two findings.
 *
 * @example
 * ```ts
 * redactSpans('key=abc123', [{ start: 4, end: 10, label: 'token' }]); // 'key=[redacted:token]'
 * ```
 */
export function redactSpans(text: string, spans: readonly SecretSpan[]): string {
  const ordered = [...spans].sort((left, right) => left.start - right.start || right.end - left.end);
  let result = '';
  let cursor = 0;
  let index = 0;
  while (index < ordered.length) {
    const first = ordered[index] as SecretSpan;
    let end = first.end;
    index++;
    while (index < ordered.length && (ordered[index] as SecretSpan).start < end) {
      end = Math.max(end, (ordered[index] as SecretSpan).end);
      index++;
    }
    if (end <= cursor) continue;
    result += `${text.slice(cursor, Math.max(cursor, first.start))}[redacted:${first.label}]`;
    cursor = end;
  }
  return result + text.slice(cursor);
}
