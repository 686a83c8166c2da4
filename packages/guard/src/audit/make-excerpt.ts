import type { TextSpan } from '../scanners/scanner.js';

/** Options for {@link makeExcerpt}. */
export interface MakeExcerptOptions {
  /** The content. */
  text: string;
  /** Where findings are; the excerpt is centred on the first. */
  spans: readonly TextSpan[];
  /** Spans whose text must never appear (secrets); they become `[redacted:label]`. */
  hide: readonly TextSpan[];
  /** Longest excerpt, in characters; defaults to 160. */
  length?: number;
  /**
   * Finds secrets the `hide` spans may not list (where the secrets scanner did not run); it is given the excerpt's
   * stretch of text with a margin on each side, so a secret cut by the excerpt's edge is still recognised whole.
   */
  findSecrets?: (text: string) => readonly TextSpan[];
}

// Longer than any secret the detector recognises by shape, short of a whole private key block.
const secretMargin = 512;

const invisible = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\u180E\uFEFF]|[\u{E0000}-\u{E007F}]/gu;

/**
 * A short excerpt for the audit log: centred on the first finding, secrets replaced (whole, even when the excerpt's
 * edge cuts one), invisible characters shown as `\u{...}` escapes, whitespace collapsed.
 */
export function makeExcerpt(options: MakeExcerptOptions): string {
  const { text, spans, length = 160 } = options;
  const centre = spans[0]?.start ?? 0;
  const start = Math.max(0, centre - Math.floor(length / 3));
  const end = Math.min(text.length, start + length * 2);
  const hide = [...options.hide];
  if (options.findSecrets) {
    const from = Math.max(0, start - secretMargin);
    for (const span of options.findSecrets(text.slice(from, Math.min(text.length, end + secretMargin)))) {
      hide.push({ ...span, start: span.start + from, end: span.end + from });
    }
  }
  let excerpt = '';
  let cursor = start;
  for (const span of hide.sort((left, right) => left.start - right.start)) {
    if (span.end <= cursor || span.start >= end) continue;
    excerpt += text.slice(cursor, Math.max(cursor, span.start));
    excerpt += `[redacted:${span.label}]`;
    cursor = span.end;
  }
  excerpt += text.slice(cursor, Math.max(cursor, end));
  const visible = excerpt
    .replace(invisible, (character) => `\\u{${(character.codePointAt(0) ?? 0).toString(16)}}`)
    .replace(/\s+/g, ' ')
    .trim();
  const clipped = visible.length > length ? `${visible.slice(0, length - 1)}…` : visible;
  return `${start > 0 ? '…' : ''}${clipped}`;
}
