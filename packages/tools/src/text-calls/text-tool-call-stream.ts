import {
  type CallBlockParse,
  CallBlockReader,
  pythonStartTag,
  type TextToolCall,
} from './call-block-reader.js';

/** What a text tool-call stream emits: plain text, or a complete tool call. */
export type TextToolCallEvent = { type: 'text'; text: string } | { type: 'tool-call'; call: TextToolCall };

/** Options for {@link createTextToolCallStream} and `parseTextToolCalls`. */
export interface TextToolCallOptions {
  /** When given, a block naming any other tool is plain text. */
  toolNames?: readonly string[];
  /**
   * The longest call block, in characters (default 1 MiB, `defaultMaxCallBlockLength`). Text that opened like a
   * call and has not completed within this many characters is released as text; it is not held back for ever.
   */
  maxBlockLength?: number;
}

/** Reads tool calls out of streamed message text. */
export interface TextToolCallStream {
  /** Adds a chunk of text; returns what can be decided so far. A call is only emitted once complete. */
  push(chunk: string): TextToolCallEvent[];
  /** Ends the stream; anything held back that did not complete as a call is returned as text. */
  end(): TextToolCallEvent[];
}

const boundaryBefore = (previous: string | undefined): boolean =>
  previous === undefined || /\s/.test(previous);
const boundaryAfter = (next: string | undefined): boolean =>
  next === undefined || /\s/.test(next) || next === '<';

/** The index of the next place a call block might start, or -1. */
const nextCandidate = (text: string, previous: string | undefined): number => {
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    const before = index === 0 ? previous : text[index - 1];
    if ((character === '[' || character === '{') && boundaryBefore(before)) return index;
    if (
      character === '<' &&
      boundaryBefore(before) &&
      (text.startsWith(pythonStartTag, index) || pythonStartTag.startsWith(text.slice(index)))
    ) {
      return index;
    }
  }
  return -1;
};

/** Text held back because it opened like a call: its reader, and its chunks (joined only once it is decided). */
interface HeldBlock {
  reader: CallBlockReader;
  chunks: string[];
  length: number;
}

/**
 * Creates a streaming reader of tool calls written into message text: Llama 4's pythonic list
 * `[get_weather(city="SF"), other()]` (optionally inside `<|python_start|>`…`<|python_end|>`) and the JSON form
 * `{"name": ..., "parameters": {...}}` (single or list). A block counts only when it stands apart (start of text or
 * whitespace before, end, whitespace or a tag after) and is well-formed throughout; otherwise it is plain text.
 * Text that might still become a call is held back until it is decided, read once as it arrives (time in
 * proportion to its length however it is split), and never past `maxBlockLength`. Nothing is evaluated.
 *
 * @example
 * const stream = createTextToolCallStream();
 * stream.push('[get_weather(city="S'); // []
 * stream.push('F")]'); // [] (waits for what follows)
 * stream.end(); // [{ type: 'tool-call', call: { name: 'get_weather', arguments: { city: 'SF' } } }]
 */
export function createTextToolCallStream(options: TextToolCallOptions = {}): TextToolCallStream {
  const readerOptions = {
    toolNames: options.toolNames ? new Set(options.toolNames) : undefined,
    maxLength: options.maxBlockLength,
  };
  let held: HeldBlock | undefined;
  let previous: string | undefined;

  const drain = (incoming: string, final: boolean): TextToolCallEvent[] => {
    const events: TextToolCallEvent[] = [];
    const emitText = (text: string) => {
      if (!text) return;
      const last = events.at(-1);
      if (last?.type === 'text') last.text += text;
      else events.push({ type: 'text', text });
      previous = text.at(-1);
    };
    // Text not yet looked at: none is held back while there is some.
    let pending = incoming;
    for (;;) {
      if (!held) {
        const start = nextCandidate(pending, previous);
        if (start === -1) {
          emitText(pending);
          return events;
        }
        emitText(pending.slice(0, start));
        held = { reader: new CallBlockReader(readerOptions), chunks: [], length: 0 };
        pending = pending.slice(start);
      }
      const block: HeldBlock = held;
      if (pending) {
        block.chunks.push(pending);
        block.length += pending.length;
      }
      let outcome: CallBlockParse = block.reader.feed(pending);
      pending = '';
      if (final) outcome = block.reader.finish();
      if (outcome.status === 'incomplete') return events;
      // A call that ends where the text so far ends waits for the next character (it must stand apart).
      if (outcome.status === 'complete' && outcome.length === block.length && !final && !outcome.closed)
        return events;
      const text = block.chunks.join('');
      held = undefined;
      if (outcome.status === 'complete' && (outcome.closed || boundaryAfter(text[outcome.length]))) {
        for (const call of outcome.calls) events.push({ type: 'tool-call', call });
        previous = ' ';
        pending = text.slice(outcome.length);
      } else if (outcome.status === 'too-long') {
        // Released as it is, not searched again for calls inside it: reading it once was the limit.
        emitText(text.slice(0, outcome.limit));
        pending = text.slice(outcome.limit);
      } else {
        // Not a call: the opening character is text, and scanning goes on after it.
        emitText(text[0]!);
        pending = text.slice(1);
      }
      if (!pending) return events;
    }
  };

  return {
    push: (chunk) => drain(chunk, false),
    end: () => drain('', true),
  };
}
