import type { Scanner, ScannerFinding, TextSpan } from './scanner.js';

/** Options for {@link createHiddenTextScanner}. */
export interface HiddenTextScannerOptions {
  /** Zero-width characters (outside emoji joins) that make a hit; defaults to 3. */
  zeroWidthMinimum?: number;
}

const tagCharacters = /[\u{E0000}-\u{E007F}]+/gu;
const bidiControls = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
const zeroWidth = /\u200B|\u200C|\u200D|\u2060|\u180E|\uFEFF/gu;
const joinerNeighbour =
  /\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}]|\uFE0F|\p{Script=Arabic}|\p{Script=Devanagari}|\p{Script=Bengali}|\p{Script=Malayalam}|\p{Script=Sinhala}/u;

/**
 * Finds text a person cannot see: Unicode tag characters (U+E0000–U+E007F, decoded to the ASCII they smuggle),
 * bidirectional controls (which reorder what is displayed), and zero-width characters between letters. Joiners
 * inside emoji sequences and scripts that need them, and a leading byte-order mark, are not counted.
 */
export function createHiddenTextScanner(options: HiddenTextScannerOptions = {}): Scanner {
  const { zeroWidthMinimum = 3 } = options;
  return {
    name: 'hidden_text',
    fingerprint: `hidden_text@1:${zeroWidthMinimum}`,
    async scan(subjects) {
      return subjects.map((subject) => findHiddenText(subject.text, zeroWidthMinimum));
    },
  };
}

function findHiddenText(text: string, zeroWidthMinimum: number): ScannerFinding {
  const spans: TextSpan[] = [];
  const reasons: string[] = [];
  const categories = new Set<string>();
  for (const match of text.matchAll(tagCharacters)) {
    spans.push({ start: match.index, end: match.index + match[0].length, label: 'unicode_tags' });
    categories.add('unicode_tags');
    reasons.push(`Unicode tag characters spelling '${decodeTagCharacters(match[0])}'`);
  }
  for (const match of text.matchAll(bidiControls)) {
    spans.push({ start: match.index, end: match.index + match[0].length, label: 'bidi_controls' });
    categories.add('bidi_controls');
  }
  if (categories.has('bidi_controls'))
    reasons.push('bidirectional control characters that reorder what is displayed');
  const zeroWidthSpans: TextSpan[] = [];
  for (const match of text.matchAll(zeroWidth)) {
    if (match.index === 0 && match[0] === '\uFEFF') continue;
    if ((match[0] === '\u200D' || match[0] === '\u200C') && joins(text, match.index)) continue;
    zeroWidthSpans.push({ start: match.index, end: match.index + 1, label: 'zero_width' });
  }
  if (zeroWidthSpans.length >= zeroWidthMinimum || hasAdjacentPair(zeroWidthSpans)) {
    spans.push(...zeroWidthSpans);
    categories.add('zero_width');
    reasons.push(`${zeroWidthSpans.length} zero-width characters`);
  }
  spans.sort((left, right) => left.start - right.start);
  return {
    score: spans.length > 0 ? 1 : 0,
    categories: [...categories],
    spans,
    ...(reasons.length > 0 ? { reason: `Hidden text: ${reasons.join('; ')}.` } : {}),
  };
}

/** Tag characters mirror ASCII at U+E0000 + code; U+E007F (cancel tag) and non-printables become nothing. */
export function decodeTagCharacters(text: string): string {
  let decoded = '';
  for (const character of text) {
    const code = (character.codePointAt(0) ?? 0) - 0xe0000;
    if (code >= 0x20 && code < 0x7f) decoded += String.fromCharCode(code);
  }
  return decoded;
}

/**
 * The text as a model reads it: tag characters decoded in place, zero-width characters and bidi controls removed.
 * Classifiers scan this, so hiding a phrase from a person does not hide it from Prompt Guard.
 */
export function revealHiddenText(text: string): string {
  return text
    .replace(tagCharacters, (match) => decodeTagCharacters(match))
    .replace(bidiControls, '')
    .replace(zeroWidth, '');
}

function joins(text: string, index: number): boolean {
  const before = String.fromCodePoint(text.codePointAt(index - 1) ?? 0x20);
  const previous = index >= 2 ? String.fromCodePoint(text.codePointAt(index - 2) ?? 0x20) : ' ';
  const after = String.fromCodePoint(text.codePointAt(index + 1) ?? 0x20);
  return joinerNeighbour.test(before) || joinerNeighbour.test(previous) || joinerNeighbour.test(after);
}

function hasAdjacentPair(spans: readonly TextSpan[]): boolean {
  return spans.some((span, index) => index > 0 && span.start === (spans[index - 1] as TextSpan).end);
}
