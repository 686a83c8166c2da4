import { Invalid, identifierStart, LiteralReader, type Reading, TooLong } from './literal-reader.js';

/** A tool call found in message text. */
export interface TextToolCall {
  /** The tool name. */
  name: string;
  /** Keyword arguments (pythonic form) or `parameters` (JSON form), as plain JSON values. */
  arguments: Record<string, unknown>;
}

/**
 * The outcome of reading a call block at the start of some text: complete (`length` characters, `closed` when it
 * ended with `<|python_end|>`), incomplete (more text may complete it), invalid (not a call block), or too long (its
 * first `limit` characters did not complete it).
 */
export type CallBlockParse =
  | { status: 'complete'; calls: TextToolCall[]; length: number; closed: boolean }
  | { status: 'incomplete' }
  | { status: 'invalid' }
  | { status: 'too-long'; limit: number };

/** Options for {@link CallBlockReader}. */
export interface CallBlockReaderOptions {
  /** When given, a block calling any other tool is invalid. */
  toolNames?: ReadonlySet<string> | undefined;
  /** The most characters a block may have (default {@link defaultMaxCallBlockLength}). */
  maxLength?: number | undefined;
}

/** The Llama 4 tags around a python-tagged tool call. */
export const pythonStartTag = '<|python_start|>';
export const pythonEndTag = '<|python_end|>';

/**
 * The longest call block read by default, in characters: 1 MiB, several times the longest reply a 16K-token
 * `max_tokens` allows. A host that ignores `max_tokens` can send an opened call that never ends; past this it is
 * text, not held back (and kept in memory) for ever.
 */
export const defaultMaxCallBlockLength = 1_048_576;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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
 * Reads one call block as its text arrives: an optional `<|python_start|>` tag, then a pythonic call list
 * `[name(key=value, ...), ...]` or a JSON call (or list of them), then the optional `<|python_end|>` tag. Each
 * {@link CallBlockReader.feed} goes on from where the last one stopped, so a block streamed in many small chunks
 * is read once, not once per chunk. Nothing is evaluated.
 */
export class CallBlockReader {
  private readonly reader = new LiteralReader();
  private readonly steps: Reading<CallBlockParse>;
  private readonly toolNames: ReadonlySet<string> | undefined;
  private readonly maxLength: number;
  private received = 0;
  private outcome: CallBlockParse = { status: 'incomplete' };

  constructor(options: CallBlockReaderOptions = {}) {
    this.toolNames = options.toolNames;
    this.maxLength = options.maxLength ?? defaultMaxCallBlockLength;
    this.steps = this.read();
  }

  /** Adds the next text of the block; returns the outcome so far (`incomplete` while more may complete it). */
  feed(chunk: string): CallBlockParse {
    if (this.outcome.status !== 'incomplete' || chunk.length === 0) return this.outcome;
    // Never more than the limit: whether a block is too long must not depend on how its text was split.
    const room = this.maxLength - this.received;
    const taken = chunk.length > room ? chunk.slice(0, Math.max(room, 0)) : chunk;
    if (taken.length < chunk.length) this.reader.capped = true;
    this.received += taken.length;
    this.reader.append(taken);
    return this.advance();
  }

  /** Says no more text will come; returns the final outcome (never `incomplete`). */
  finish(): CallBlockParse {
    if (this.outcome.status !== 'incomplete') return this.outcome;
    this.reader.ended = true;
    return this.advance();
  }

  private advance(): CallBlockParse {
    const step = this.steps.next();
    if (step.done) this.outcome = step.value;
    return this.outcome;
  }

  private *read(): Reading<CallBlockParse> {
    try {
      return yield* this.block();
    } catch (error) {
      if (error instanceof TooLong) return { status: 'too-long', limit: this.maxLength };
      // Incomplete here means the text ended (a cut block); whatever else went wrong (a RangeError for a literal
      // JavaScript cannot hold), the text is not a call the caller can use, and reading it never throws.
      return { status: 'invalid' };
    }
  }

  private *block(): Reading<CallBlockParse> {
    const reader = this.reader;
    // Only the text's start is needed to tell a tag from a prefix of one; nothing is consumed before.
    while (!reader.text.startsWith(pythonStartTag) && pythonStartTag.startsWith(reader.text))
      yield* reader.more();
    const tagged = reader.text.startsWith(pythonStartTag);
    if (tagged) reader.position = pythonStartTag.length;
    const opening = yield* reader.nextNonSpace();
    let calls: TextToolCall[];
    if (opening === '[') {
      reader.position += 1;
      calls = identifierStart.test(yield* reader.nextNonSpace())
        ? yield* this.pythonicList()
        : asJsonCalls(yield* reader.sequence(']', 0));
    } else if (opening === '{') {
      calls = asJsonCalls(yield* reader.value(0));
    } else {
      throw new Invalid();
    }
    this.checkNames(calls);
    if (!tagged) return { status: 'complete', calls, length: reader.consumed, closed: false };
    const afterList = reader.consumed;
    for (;;) {
      reader.skipSpace();
      const rest = reader.text.slice(reader.position, reader.position + pythonEndTag.length);
      if (rest === pythonEndTag) {
        return { status: 'complete', calls, length: reader.consumed + pythonEndTag.length, closed: true };
      }
      if (reader.ended || !pythonEndTag.startsWith(rest)) {
        return { status: 'complete', calls, length: afterList, closed: false };
      }
      yield* reader.more();
    }
  }

  /** Reads `name(key=value, ...), ...]` after the list's opening bracket. */
  private *pythonicList(): Reading<TextToolCall[]> {
    const reader = this.reader;
    const calls: TextToolCall[] = [];
    for (;;) {
      const name = yield* reader.identifier();
      // Known to be text as soon as the name is: not held back until the end of its arguments.
      this.checkNames([{ name, arguments: {} }]);
      yield* reader.expect('(');
      const args: Record<string, unknown> = {};
      if (!(yield* reader.accept(')'))) {
        for (;;) {
          const key = yield* reader.identifier();
          if (Object.hasOwn(args, key)) throw new Invalid();
          yield* reader.expect('=');
          Object.defineProperty(args, key, {
            value: yield* reader.value(1),
            enumerable: true,
            writable: true,
            configurable: true,
          });
          if (yield* reader.accept(')')) break;
          yield* reader.expect(',');
          if (yield* reader.accept(')')) break;
        }
      }
      calls.push({ name, arguments: args });
      if (yield* reader.accept(']')) return calls;
      yield* reader.expect(',');
      if (yield* reader.accept(']')) return calls;
    }
  }

  private checkNames(calls: readonly TextToolCall[]): void {
    if (this.toolNames && calls.some((call) => !this.toolNames!.has(call.name))) throw new Invalid();
  }
}
