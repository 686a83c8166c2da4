import { createO200kPieceCounter, loadO200kRankTable, type O200kRankTable } from './o200k-piece-counter.js';

/** An exact o200k token counter. */
export interface FastO200kCounter {
  /**
   * Counts `text` exactly as o200k (OpenAI's tiktoken) does, with special-token text as plain text; the same as
   * gpt-tokenizer's `countTokens` except for byte-order marks, which gpt-tokenizer counts as two tokens, not one.
   */
  count(text: string): number;
}

/**
 * Creates an exact o200k counter that is several times faster than running the tokenizer on code. o200k first
 * splits text into pieces with a regular expression and then encodes each piece on its own, so a text's count
 * is the sum of its pieces' counts. This counter splits ASCII text with a hand-written scanner that follows the
 * expression's alternatives exactly, and remembers each distinct piece's count (byte-pair merging each piece
 * once). Text with non-ASCII characters is cut at piece boundaries (a line break followed by a printable ASCII
 * character other than `/`), and the non-ASCII parts are split with the expression itself.
 */
export function createFastO200kCounter(
  options: {
    /** Gives o200k's rank table when the first piece needs it; default: build it on the calling thread. */
    table?: () => O200kRankTable;
  } = {},
): FastO200kCounter {
  const pieces = createO200kPieceCounter(options.table ?? loadO200kRankTable);
  const memo = createPieceMemo();
  return { count: (text) => countByPieces(text, memo, pieces.count) };
}

/** Counts of the pieces seen so far. */
export interface PieceMemo {
  /** Counts of pieces of up to three ASCII characters, by their character codes (0: not seen yet). */
  short: Uint8Array;
  /** Counts of longer pieces, and of pieces with other characters. */
  long: Map<string, number>;
  /** o200k's pre-tokenizer expression, compiled once (its Unicode classes are costly to compile). */
  split?: RegExp;
}

/**
 * The source of a script defining `countPieces(text, memo, slow)`, `newPieceMemo()` and the scanner they use,
 * for worker threads (which cannot import this module when it runs from TypeScript sources). Call only these two
 * names: the functions keep whatever names a bundler gave them (`createPieceMemo2` beside another module's
 * `createPieceMemo`), and these two are bound to them by their runtime names.
 */
export function fastCounterSource(): string {
  const entry = `const countPieces = ${countByPieces.name};\nconst newPieceMemo = ${createPieceMemo.name};`;
  return [
    entry,
    createPieceMemo,
    countByPieces,
    countAsciiPieces,
    nextBoundary,
    previousBoundary,
    asciiPieceEnd,
    lettersEnd,
    isLetter,
    isUpper,
    isLower,
    isDigit,
    isSpace,
    isLineBreak,
  ]
    .map(String)
    .join('\n');
}

/** An empty {@link PieceMemo}. */
function createPieceMemo(): PieceMemo {
  // Pieces of one, two and three characters, at offsets 0, 128 and 128 + 128², as numbers in base 128.
  return { short: new Uint8Array(128 + 128 ** 2 + 128 ** 3), long: new Map() };
}

/** Counts `text` as the sum of its pieces' counts; `slow` counts one piece, `memo` keeps piece counts. */
function countByPieces(text: string, memo: PieceMemo, slow: (text: string) => number): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII.
  if (!/[^\u0000-\u007f]/.test(text)) return countAsciiPieces(text, 0, text.length, memo, slow);
  let split = memo.split;
  if (split === undefined) {
    // o200k's published pre-tokenizer pattern, as gpt-tokenizer and tiktoken use it.
    const contraction = "(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?";
    const upper = '[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]';
    const lower = '[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]';
    const prefix = '[^\\r\\n\\p{L}\\p{N}]?';
    split = new RegExp(
      `${prefix}${upper}*${lower}+${contraction}|${prefix}${upper}+${lower}*${contraction}|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`,
      'gu',
    );
    memo.split = split;
  }
  const { long } = memo;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is all of ASCII.
  const nextNonAscii = /[^\u0000-\u007f]/g;
  let tokens = 0;
  let start = 0;
  while (start < text.length) {
    nextNonAscii.lastIndex = start;
    const found = nextNonAscii.exec(text);
    if (!found) return tokens + countAsciiPieces(text, start, text.length, memo, slow);
    // Only the lines around non-ASCII text go through the expression, cut at boundaries on both sides.
    const cut = previousBoundary(text, start, found.index);
    if (cut > start) tokens += countAsciiPieces(text, start, cut, memo, slow);
    const end = nextBoundary(text, found.index);
    for (const [piece] of text.slice(cut, end).matchAll(split)) {
      let counted = long.get(piece);
      if (counted === undefined) {
        counted = slow(piece);
        // A copy: a piece cut out of a text refers to the whole text, which the memo would keep alive.
        if (long.size < 400_000) long.set(` ${piece}`.slice(1), counted);
      }
      tokens += counted;
    }
    start = end;
  }
  return tokens;
}

function countAsciiPieces(
  text: string,
  start: number,
  end: number,
  memo: PieceMemo,
  slow: (text: string) => number,
): number {
  // Distinct pieces remembered; code repeats its identifiers and punctuation, so this covers most of them.
  const largestMemo = 400_000;
  const { short, long } = memo;
  let tokens = 0;
  let index = start;
  while (index < end) {
    const pieceEnd = asciiPieceEnd(text, index, end);
    const length = pieceEnd - index;
    // Half the pieces of code are one or two characters long: they are looked up by their codes, without
    // cutting them out of the text.
    if (length <= 3) {
      const first = text.charCodeAt(index);
      const key =
        length === 1
          ? first
          : length === 2
            ? 128 + first * 128 + text.charCodeAt(index + 1)
            : 16_512 + first * 16_384 + text.charCodeAt(index + 1) * 128 + text.charCodeAt(index + 2);
      let counted = short[key]!;
      if (counted === 0) {
        counted = slow(text.slice(index, pieceEnd));
        short[key] = counted;
      }
      tokens += counted;
      index = pieceEnd;
      continue;
    }
    const piece = text.slice(index, pieceEnd);
    let counted = long.get(piece);
    if (counted === undefined) {
      counted = slow(piece);
      // A copy: a piece cut out of a text refers to the whole text, which the memo would otherwise keep alive
      // (every text counted, in every thread, for as long as the memo lives).
      if (long.size < largestMemo) long.set(` ${piece}`.slice(1), counted);
    }
    tokens += counted;
    index = pieceEnd;
  }
  return tokens;
}

/**
 * The next position after `start` where a piece must begin whatever surrounds it (a boundary): after a line break
 * followed by a printable ASCII character other than `/`. No alternative of the expression matches across that
 * point (the letter alternatives never take a line break as prefix, and the punctuation one only takes line
 * breaks and `/` after itself), so counting the two sides apart gives the same total.
 */
function nextBoundary(text: string, start: number): number {
  let newline = text.indexOf('\n', start);
  while (newline !== -1 && newline + 1 < text.length) {
    const next = text.charCodeAt(newline + 1);
    if (next > 32 && next < 127 && next !== 47) return newline + 1;
    newline = text.indexOf('\n', newline + 1);
  }
  return text.length;
}

/** The last boundary (see {@link nextBoundary}) at or before `position` and after `start`, else `start`. */
function previousBoundary(text: string, start: number, position: number): number {
  let newline = text.lastIndexOf('\n', position - 1);
  while (newline >= start) {
    const next = text.charCodeAt(newline + 1);
    if (next > 32 && next < 127 && next !== 47) return newline + 1;
    newline = newline === 0 ? -1 : text.lastIndexOf('\n', newline - 1);
  }
  return start;
}

// The character classes below are this module's own, not imported (estimate-o200k-tokens has the same three):
// worker threads run these functions from their source (fastCounterSource), where a call to an imported function
// would name a binding the worker does not have.
function isLetter(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
}

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

// JavaScript's \s in ASCII: tab, line feed, vertical tab, form feed, carriage return, space.
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

function isLineBreak(code: number): boolean {
  return code === 10 || code === 13;
}

/**
 * Where the o200k piece starting at `index` ends, for ASCII text ending at `end`. Follows the alternatives in
 * order: letters (optionally after one other non-line-break character, then a contraction such as `'s`),
 * digits in threes, punctuation (after an optional space, then line breaks and slashes), whitespace up to its
 * last line break, whitespace that leaves one space for the next piece, any whitespace.
 */
function asciiPieceEnd(text: string, index: number, end: number): number {
  const code = text.charCodeAt(index);
  if (isLetter(code)) return lettersEnd(text, index, end);
  if (isDigit(code)) {
    let stop = index + 1;
    while (stop < end && stop < index + 3 && isDigit(text.charCodeAt(stop))) stop++;
    return stop;
  }
  const next = index + 1 < end ? text.charCodeAt(index + 1) : -1;
  // One character that is not a line break, letter or digit may lead a run of letters.
  if (!isLineBreak(code) && isLetter(next)) return lettersEnd(text, index + 1, end);
  if (!isSpace(code) || (code === 32 && next !== -1 && !isSpace(next) && !isLetter(next) && !isDigit(next))) {
    // Punctuation, optionally after one space, then any line breaks and slashes.
    let stop = code === 32 ? index + 2 : index + 1;
    while (stop < end) {
      const current = text.charCodeAt(stop);
      if (isSpace(current) || isLetter(current) || isDigit(current)) break;
      stop++;
    }
    while (stop < end) {
      const current = text.charCodeAt(stop);
      if (!isLineBreak(current) && current !== 47) break;
      stop++;
    }
    return stop;
  }
  let runEnd = index;
  let lastLineBreak = -1;
  while (runEnd < end) {
    const current = text.charCodeAt(runEnd);
    if (!isSpace(current)) break;
    if (isLineBreak(current)) lastLineBreak = runEnd;
    runEnd++;
  }
  if (lastLineBreak !== -1) return lastLineBreak + 1;
  if (runEnd === end) return runEnd;
  return runEnd - index >= 2 ? runEnd - 1 : runEnd;
}

/** The end of a letter piece starting at `index`: capitals then lower case (or capitals alone), then a contraction. */
function lettersEnd(text: string, index: number, end: number): number {
  let stop = index;
  while (stop < end && isUpper(text.charCodeAt(stop))) stop++;
  while (stop < end && isLower(text.charCodeAt(stop))) stop++;
  if (stop + 1 < end && text.charCodeAt(stop) === 39) {
    const first = text.charCodeAt(stop + 1) | 32;
    if (first === 115 || first === 116 || first === 109 || first === 100) return stop + 2;
    if (stop + 2 < end) {
      const second = text.charCodeAt(stop + 2) | 32;
      if ((first === 114 || first === 118) && second === 101) return stop + 3;
      if (first === 108 && second === 108) return stop + 3;
    }
  }
  return stop;
}
