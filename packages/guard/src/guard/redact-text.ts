import { redactSpans } from '@herd/core';
import type { TextSpan } from '../scanners/scanner.js';

/** Replaces each span (overlaps merged) with `[redacted:label]`. */
export function redactText(text: string, spans: readonly TextSpan[]): string {
  return redactSpans(text, spans);
}
