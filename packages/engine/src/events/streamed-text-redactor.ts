import { redactSpans, type SecretRedactor } from '@herd/core';

/** Redacts text that arrives in pieces (a model's streamed reply), so a secret split between pieces is still found. */
export interface StreamedTextRedactor {
  /** Takes the next piece; returns the redacted text that can be released now (possibly empty). */
  push(text: string): string;
  /** Releases everything held back, redacted. */
  flush(): string;
}

// Released text kept as context, so a secret whose label came in an earlier piece (`secretAccessKey: "...`) is found.
const contextChars = 256;
// A run of text without whitespace longer than this is released even unfinished (no secret is that long in one word).
const longestHeldWord = 4096;

/**
 * Holds back the end of streamed text that could still be the start of a secret: the last unfinished word (keys
 * and tokens have no whitespace in them) and any ending that begins a secret value the redactor knows. What is
 * released is redacted with the released text before it as context. Each piece is released at most one word late.
 *
 * @example
 * ```ts
 * const stream = createStreamedTextRedactor(() => redactor);
 * stream.push('the key is sk-her'); // 'the key is '
 * stream.push('d-123456 ok');       // '[redacted:TOGETHER_API_KEY] '
 * stream.flush();                   // 'ok'
 * ```
 */
export function createStreamedTextRedactor(redactor: () => SecretRedactor): StreamedTextRedactor {
  let pending = '';
  let released = '';

  const release = (length: number): string => {
    const current = redactor();
    const scanned = released + pending;
    const offset = released.length;
    let end = offset + length;
    const spans = current.find(scanned).filter((span) => span.end > offset);
    // A secret that runs past the cut is released whole, now that all of it is here.
    for (const span of spans) if (span.start < end && span.end > end) end = span.end;
    const piece = scanned.slice(offset, end);
    const shifted = spans
      .filter((span) => span.start < end)
      .map((span) => ({
        ...span,
        start: Math.max(0, span.start - offset),
        end: Math.min(piece.length, span.end - offset),
      }));
    released = scanned.slice(0, end).slice(-contextChars);
    pending = scanned.slice(end);
    return shifted.length > 0 ? redactSpans(piece, shifted) : piece;
  };

  return {
    push(text) {
      pending += text;
      return release(safeLength(pending, redactor()));
    },
    flush() {
      return pending.length > 0 ? release(pending.length) : '';
    },
  };
}

/** How much of `text` cannot be the beginning of a secret that the next piece would complete. */
function safeLength(text: string, redactor: SecretRedactor): number {
  let cut = text.length;
  const lastSpace = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\n'), text.lastIndexOf('\t'));
  if (text.length - (lastSpace + 1) <= longestHeldWord) cut = lastSpace + 1;
  return Math.min(cut, text.length - redactor.partialSecretLength(text));
}
