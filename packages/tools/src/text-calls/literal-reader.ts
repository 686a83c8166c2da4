/** The text ends (and no more will come) before what was being read is complete. */
export class Incomplete extends Error {}
/** The text is not a well-formed literal (or call block). */
export class Invalid extends Error {}
/** Reading would go past the reader's limit. */
export class TooLong extends Error {}

/**
 * A step of an incremental read: yields (undefined) whenever it needs more text, returns the value read. Run by
 * `next()` after every chunk, so a reader suspended in the middle of a long string resumes where it stopped
 * instead of reading the block again from its start.
 */
export type Reading<T> = Generator<undefined, T, undefined>;

const maxDepth = 64;
export const identifierStart = /[A-Za-z_]/;
const identifierPart = /[A-Za-z0-9_.-]/;
const numberCharacter = /[0-9eE.+-]/;
const numberPattern = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const space = /\s/;
const constants: Record<string, unknown> = {
  True: true,
  False: false,
  None: null,
  true: true,
  false: false,
  null: null,
};
const simpleEscapes: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\u0007',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '\n': '',
};

/**
 * An incremental recursive-descent reader for the literal subset Llama 4 emits: strings (single, double, triple
 * quoted, with Python escapes), numbers, True/False/None (and JSON's true/false/null), lists, tuples and dicts.
 * Nothing is evaluated. Text arrives by {@link LiteralReader.append}; a reading step that reaches the end of the
 * text it has waits for more (or raises Incomplete once {@link LiteralReader.ended} is set, TooLong once
 * {@link LiteralReader.capped} is), anything unexpected raises Invalid.
 *
 * Only the text from the current position on is kept: nothing a step holds across a wait points back into the
 * text, so a block of any length costs time and memory in proportion to its length.
 */
export class LiteralReader {
  /** The text not consumed yet (from `position` on), plus what was consumed since the last append. */
  text = '';
  /** Index into `text` of the next character to read. */
  position = 0;
  /** How many characters were dropped from the front of `text`: `offset + position` is the absolute position. */
  offset = 0;
  /** No more text will come. */
  ended = false;
  /** More text came than the reader may take; needing it raises TooLong. */
  capped = false;

  /** Adds text at the end, dropping what was consumed. */
  append(chunk: string): void {
    this.offset += this.position;
    this.text = this.text.slice(this.position) + chunk;
    this.position = 0;
  }

  /** The absolute position of the next character. */
  get consumed(): number {
    return this.offset + this.position;
  }

  /** Waits for more text; raises when none can come. */
  *more(): Reading<void> {
    if (this.capped) throw new TooLong();
    if (this.ended) throw new Incomplete();
    yield undefined;
  }

  *peek(): Reading<string> {
    while (this.position >= this.text.length) yield* this.more();
    return this.text[this.position]!;
  }

  skipSpace(): void {
    while (this.position < this.text.length && space.test(this.text[this.position]!)) this.position += 1;
  }

  /** The next character that is not white space, without consuming it. */
  *nextNonSpace(): Reading<string> {
    for (;;) {
      this.skipSpace();
      if (this.position < this.text.length) return this.text[this.position]!;
      yield* this.more();
    }
  }

  *expect(character: string): Reading<void> {
    if ((yield* this.nextNonSpace()) !== character) throw new Invalid();
    this.position += 1;
  }

  /** True (and consumed) when the next non-space character is `character`. */
  *accept(character: string): Reading<boolean> {
    if ((yield* this.nextNonSpace()) !== character) return false;
    this.position += 1;
    return true;
  }

  *identifier(): Reading<string> {
    if (!identifierStart.test(yield* this.nextNonSpace())) throw new Invalid();
    let name = '';
    for (;;) {
      const start = this.position;
      while (this.position < this.text.length && identifierPart.test(this.text[this.position]!))
        this.position += 1;
      name += this.text.slice(start, this.position);
      if (this.position < this.text.length) return name;
      yield* this.more();
    }
  }

  *value(depth: number): Reading<unknown> {
    if (depth > maxDepth) throw new Invalid();
    const character = yield* this.nextNonSpace();
    if (character === '"' || character === "'") return yield* this.string();
    if (character === '[' || character === '(') {
      this.position += 1;
      return yield* this.sequence(character === '[' ? ']' : ')', depth);
    }
    if (character === '{') return yield* this.dictionary(depth);
    if (character === '-' || character === '+' || /[0-9.]/.test(character)) return yield* this.number();
    if (identifierStart.test(character)) {
      const word = yield* this.identifier();
      if (Object.hasOwn(constants, word)) return constants[word];
    }
    throw new Invalid();
  }

  /** The items of a list or tuple whose opening bracket was consumed. */
  *sequence(close: string, depth: number): Reading<unknown[]> {
    const items: unknown[] = [];
    if (yield* this.accept(close)) return items;
    for (;;) {
      items.push(yield* this.value(depth + 1));
      if (yield* this.accept(close)) return items;
      yield* this.expect(',');
      if (yield* this.accept(close)) return items;
    }
  }

  private *dictionary(depth: number): Reading<Record<string, unknown>> {
    this.position += 1;
    const entries: Record<string, unknown> = {};
    if (yield* this.accept('}')) return entries;
    for (;;) {
      const key = yield* this.value(depth + 1);
      if (typeof key !== 'string' && typeof key !== 'number') throw new Invalid();
      yield* this.expect(':');
      Object.defineProperty(entries, String(key), {
        value: yield* this.value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (yield* this.accept('}')) return entries;
      yield* this.expect(',');
      if (yield* this.accept('}')) return entries;
    }
  }

  private *number(): Reading<number> {
    // The run of characters a number can contain, read to its end (the number may go on in the next chunk:
    // more digits, or an exponent just begun).
    let run = '';
    for (;;) {
      const start = this.position;
      while (this.position < this.text.length && numberCharacter.test(this.text[this.position]!))
        this.position += 1;
      run += this.text.slice(start, this.position);
      if (this.position < this.text.length) break;
      yield* this.more();
    }
    const match = numberPattern.exec(run);
    // What is left of the run (`1.2.3`, `1-2`, `1e+`) can follow a value nowhere.
    if (!match || match[0].length < run.length) throw new Invalid();
    if (/[A-Za-z_]/.test(this.text[this.position]!)) throw new Invalid();
    const value = Number(match[0]);
    if (!Number.isFinite(value)) throw new Invalid();
    return value;
  }

  private *string(): Reading<string> {
    const quote = this.text[this.position]!;
    let ahead = this.text.slice(this.position, this.position + 3);
    // '' and ''' cannot be told apart until a third character arrives.
    while (ahead.length < 3 && ahead === quote.repeat(ahead.length)) {
      yield* this.more();
      ahead = this.text.slice(this.position, this.position + 3);
    }
    const triple = ahead === quote.repeat(3);
    const delimiter = triple ? ahead : quote;
    this.position += delimiter.length;
    let result = '';
    for (;;) {
      const start = this.position;
      for (; this.position < this.text.length; this.position += 1) {
        const character = this.text[this.position];
        if (character === quote || character === '\\' || (character === '\n' && !triple)) break;
      }
      result += this.text.slice(start, this.position);
      if (this.position >= this.text.length) {
        yield* this.more();
        continue;
      }
      const character = this.text[this.position]!;
      if (character === '\\') result += yield* this.escape();
      else if (character === '\n') throw new Invalid();
      else if (!triple) {
        this.position += 1;
        return result;
      } else {
        const closing = this.text.slice(this.position, this.position + 3);
        if (closing === delimiter) {
          this.position += 3;
          return result;
        }
        // `"` or `""` at the end of the text may be the start of the closing `"""`.
        if (closing.length < 3 && delimiter.startsWith(closing)) yield* this.more();
        else {
          result += character;
          this.position += 1;
        }
      }
    }
  }

  private *hex(length: number): Reading<number> {
    let digits = this.text.slice(this.position, this.position + length);
    while (digits.length < length) {
      if (!/^[0-9a-fA-F]*$/.test(digits)) throw new Invalid();
      yield* this.more();
      digits = this.text.slice(this.position, this.position + length);
    }
    if (!/^[0-9a-fA-F]+$/.test(digits)) throw new Invalid();
    this.position += length;
    return Number.parseInt(digits, 16);
  }

  private *escape(): Reading<string> {
    this.position += 1;
    const character = yield* this.peek();
    this.position += 1;
    if (Object.hasOwn(simpleEscapes, character)) return simpleEscapes[character]!;
    if (character === 'x') return String.fromCharCode(yield* this.hex(2));
    if (character === 'u') return String.fromCharCode(yield* this.hex(4));
    if (character === 'U') {
      const code = yield* this.hex(8);
      if (code > 0x10ffff) throw new Invalid();
      return String.fromCodePoint(code);
    }
    if (/[0-7]/.test(character)) {
      let digits = character;
      while (digits.length < 3 && /[0-7]/.test(yield* this.peek())) {
        digits += this.text[this.position];
        this.position += 1;
      }
      return String.fromCharCode(Number.parseInt(digits, 8));
    }
    if (character === 'N') throw new Invalid();
    // Python keeps unknown escapes as written.
    return `\\${character}`;
  }
}
