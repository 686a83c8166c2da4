/** A tool call found in message text. */
export interface TextToolCall {
  /** The tool name. */
  name: string;
  /** Keyword arguments (pythonic form) or `parameters` (JSON form), as plain JSON values. */
  arguments: Record<string, unknown>;
}

/** The outcome of trying to read a call block at the start of some text. */
export type CallBlockParse =
  | { status: 'complete'; calls: TextToolCall[]; length: number; closed: boolean }
  | { status: 'incomplete' }
  | { status: 'invalid' };

/** The Llama 4 tags around a python-tagged tool call. */
export const pythonStartTag = '<|python_start|>';
export const pythonEndTag = '<|python_end|>';

class Incomplete extends Error {}
class Invalid extends Error {}

const maxDepth = 64;
const identifierStart = /[A-Za-z_]/;
const identifierPart = /[A-Za-z0-9_.-]/;

/**
 * A recursive-descent reader for the literal subset Llama 4 emits: strings (single, double, triple quoted, with
 * Python escapes), numbers, True/False/None (and JSON's true/false/null), lists, tuples and dicts. Nothing is
 * evaluated. Reaching the end of the text raises Incomplete, anything else unexpected raises Invalid.
 */
class LiteralReader {
  position = 0;
  constructor(readonly text: string) {}

  private peek(): string {
    if (this.position >= this.text.length) throw new Incomplete();
    return this.text[this.position]!;
  }

  skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position]!)) this.position += 1;
  }

  expect(character: string): void {
    this.skipSpace();
    if (this.peek() !== character) throw new Invalid();
    this.position += 1;
  }

  /** True (and consumed) when the next non-space character is `character`. */
  accept(character: string): boolean {
    this.skipSpace();
    if (this.peek() === character) {
      this.position += 1;
      return true;
    }
    return false;
  }

  identifier(): string {
    this.skipSpace();
    const start = this.position;
    if (!identifierStart.test(this.peek())) throw new Invalid();
    while (identifierPart.test(this.peek())) this.position += 1;
    return this.text.slice(start, this.position);
  }

  value(depth: number): unknown {
    if (depth > maxDepth) throw new Invalid();
    this.skipSpace();
    const character = this.peek();
    if (character === '"' || character === "'") return this.string();
    if (character === '[') return this.sequence(']', depth);
    if (character === '(') return this.sequence(')', depth);
    if (character === '{') return this.dictionary(depth);
    if (character === '-' || character === '+' || /[0-9.]/.test(character)) return this.number();
    if (identifierStart.test(character)) {
      const word = this.identifier();
      const constants: Record<string, unknown> = {
        True: true,
        False: false,
        None: null,
        true: true,
        false: false,
        null: null,
      };
      if (word in constants) return constants[word];
      throw new Invalid();
    }
    throw new Invalid();
  }

  private sequence(close: string, depth: number): unknown[] {
    this.position += 1;
    const items: unknown[] = [];
    if (this.accept(close)) return items;
    for (;;) {
      items.push(this.value(depth + 1));
      if (this.accept(close)) return items;
      this.expect(',');
      if (this.accept(close)) return items;
    }
  }

  private dictionary(depth: number): Record<string, unknown> {
    this.position += 1;
    const entries: Record<string, unknown> = {};
    if (this.accept('}')) return entries;
    for (;;) {
      this.skipSpace();
      const key = this.value(depth + 1);
      if (typeof key !== 'string' && typeof key !== 'number') throw new Invalid();
      this.expect(':');
      Object.defineProperty(entries, String(key), {
        value: this.value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (this.accept('}')) return entries;
      this.expect(',');
      if (this.accept('}')) return entries;
    }
  }

  private number(): number {
    const match = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(this.text.slice(this.position));
    if (!match) {
      if (/^[-+]?\.?$/.test(this.text.slice(this.position))) throw new Incomplete();
      throw new Invalid();
    }
    this.position += match[0].length;
    // The number may go on in the next chunk of a stream (more digits, or an exponent just begun).
    if (this.position >= this.text.length || /^[eE][-+]?$/.test(this.text.slice(this.position)))
      throw new Incomplete();
    if (/[A-Za-z_]/.test(this.text[this.position]!)) throw new Invalid();
    const value = Number(match[0]);
    if (!Number.isFinite(value)) throw new Invalid();
    return value;
  }

  private string(): string {
    const quote = this.peek();
    const ahead = this.text.slice(this.position, this.position + 3);
    // '' and ''' cannot be told apart until a third character arrives.
    if (ahead.length < 3 && ahead === quote.repeat(ahead.length)) throw new Incomplete();
    const triple = ahead === quote.repeat(3);
    const delimiter = triple ? quote.repeat(3) : quote;
    this.position += delimiter.length;
    let result = '';
    for (;;) {
      const character = this.peek();
      if (this.text.startsWith(delimiter, this.position)) {
        this.position += delimiter.length;
        return result;
      }
      if (character === '\\') {
        result += this.escape();
        continue;
      }
      if (!triple && character === '\n') throw new Invalid();
      result += character;
      this.position += 1;
    }
  }

  private hex(length: number): number {
    const digits = this.text.slice(this.position, this.position + length);
    if (digits.length < length) {
      if (/^[0-9a-fA-F]*$/.test(digits)) throw new Incomplete();
      throw new Invalid();
    }
    if (!/^[0-9a-fA-F]+$/.test(digits)) throw new Invalid();
    this.position += length;
    return Number.parseInt(digits, 16);
  }

  private escape(): string {
    this.position += 1;
    const character = this.peek();
    this.position += 1;
    const simple: Record<string, string> = {
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
    if (character in simple) return simple[character]!;
    if (character === 'x') return String.fromCharCode(this.hex(2));
    if (character === 'u') return String.fromCharCode(this.hex(4));
    if (character === 'U') {
      const code = this.hex(8);
      if (code > 0x10ffff) throw new Invalid();
      return String.fromCodePoint(code);
    }
    if (/[0-7]/.test(character)) {
      let digits = character;
      while (digits.length < 3 && /[0-7]/.test(this.peek())) {
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

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads `[name(key=value, ...), ...]` starting at the reader's position. */
const readPythonicList = (reader: LiteralReader): TextToolCall[] => {
  reader.expect('[');
  const calls: TextToolCall[] = [];
  for (;;) {
    const name = reader.identifier();
    reader.expect('(');
    const args: Record<string, unknown> = {};
    if (!reader.accept(')')) {
      for (;;) {
        const key = reader.identifier();
        if (Object.hasOwn(args, key)) throw new Invalid();
        reader.expect('=');
        Object.defineProperty(args, key, {
          value: reader.value(1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        if (reader.accept(')')) break;
        reader.expect(',');
        if (reader.accept(')')) break;
      }
    }
    calls.push({ name, arguments: args });
    if (reader.accept(']')) return calls;
    reader.expect(',');
    if (reader.accept(']')) return calls;
  }
};

const jsonCallKeys = new Set(['name', 'parameters', 'arguments', 'type', 'id']);

/** Checks a literal against the JSON call shape `{"name": ..., "parameters": {...}}` (or a list of them). */
const asJsonCalls = (value: unknown): TextToolCall[] => {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new Invalid();
  return items.map((item) => {
    if (!isPlainObject(item) || typeof item.name !== 'string' || !identifierStart.test(item.name))
      throw new Invalid();
    if (Object.keys(item).some((key) => !jsonCallKeys.has(key))) throw new Invalid();
    let parameters = item.parameters ?? item.arguments ?? {};
    if (typeof parameters === 'string') {
      try {
        parameters = JSON.parse(parameters);
      } catch {
        throw new Invalid();
      }
    }
    if (!isPlainObject(parameters)) throw new Invalid();
    return { name: item.name, arguments: parameters };
  });
};

/**
 * Tries to read one call block at the start of `text`: an optional `<|python_start|>` tag, then a pythonic call
 * list or a JSON call (or list of them), then the optional `<|python_end|>` tag. `final` says no more text will
 * come, so a block cut short is invalid rather than incomplete.
 */
export function parseCallBlock(
  text: string,
  options: { final: boolean; toolNames?: ReadonlySet<string> },
): CallBlockParse {
  const reader = new LiteralReader(text);
  try {
    const tagged = text.startsWith(pythonStartTag);
    if (!tagged && pythonStartTag.startsWith(text)) throw new Incomplete();
    if (tagged) reader.position = pythonStartTag.length;
    reader.skipSpace();
    const opening = reader.text[reader.position];
    if (opening === undefined) throw new Incomplete();
    let calls: TextToolCall[];
    if (opening === '[') {
      const save = reader.position;
      reader.position += 1;
      reader.skipSpace();
      const next = reader.text[reader.position];
      if (next === undefined) throw new Incomplete();
      reader.position = save;
      calls = identifierStart.test(next) ? readPythonicList(reader) : asJsonCalls(reader.value(0));
    } else if (opening === '{') {
      calls = asJsonCalls(reader.value(0));
    } else {
      throw new Invalid();
    }
    if (options.toolNames && calls.some((call) => !options.toolNames!.has(call.name))) throw new Invalid();
    if (tagged) {
      const afterList = reader.position;
      reader.skipSpace();
      const rest = text.slice(reader.position);
      if (rest.startsWith(pythonEndTag)) {
        return { status: 'complete', calls, length: reader.position + pythonEndTag.length, closed: true };
      }
      if (!options.final && pythonEndTag.startsWith(rest)) return { status: 'incomplete' };
      return { status: 'complete', calls, length: afterList, closed: false };
    }
    return { status: 'complete', calls, length: reader.position, closed: false };
  } catch (error) {
    if (error instanceof Incomplete) return options.final ? { status: 'invalid' } : { status: 'incomplete' };
    if (error instanceof Invalid || error instanceof RangeError) return { status: 'invalid' };
    return { status: 'invalid' };
  }
}
