import {
  type CallBlockParse,
  parseCallBlock,
  pythonStartTag,
  type TextToolCall,
} from './parse-call-block.js';

/** What a text tool-call stream emits: plain text, or a complete tool call. */
export type TextToolCallEvent = { type: 'text'; text: string } | { type: 'tool-call'; call: TextToolCall };

/** Options for {@link createTextToolCallStream} and `parseTextToolCalls`. */
export interface TextToolCallOptions {
  /** When given, a block naming any other tool is plain text. */
  toolNames?: readonly string[];
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

/**
 * Creates a streaming reader of tool calls written into message text: Llama 4's pythonic list
 * `[get_weather(city="SF"), other()]` (optionally inside `<|python_start|>`…`<|python_end|>`) and the JSON form
 * `{"name": ..., "parameters": {...}}` (single or list). A block counts only when it stands apart (start of text or
 * whitespace before, end, whitespace or a tag after) and is well-formed throughout; otherwise it is plain text.
 * Text that might still become a call is held back until it is decided. Nothing is evaluated.
 *
 * @example
 * const stream = createTextToolCallStream();
 * stream.push('[get_weather(city="S'); // []
 * stream.push('F")]'); // [] (waits for what follows)
 * stream.end(); // [{ type: 'tool-call', call: { name: 'get_weather', arguments: { city: 'SF' } } }]
 */
export function createTextToolCallStream(options: TextToolCallOptions = {}): TextToolCallStream {
  const toolNames = options.toolNames ? new Set(options.toolNames) : undefined;
  let buffer = '';
  let previous: string | undefined;

  const drain = (final: boolean): TextToolCallEvent[] => {
    const events: TextToolCallEvent[] = [];
    const emitText = (text: string) => {
      if (!text) return;
      const last = events.at(-1);
      if (last?.type === 'text') last.text += text;
      else events.push({ type: 'text', text });
      previous = text.at(-1);
    };
    while (buffer.length > 0) {
      const start = nextCandidate(buffer, previous);
      if (start === -1) {
        emitText(buffer);
        buffer = '';
        break;
      }
      emitText(buffer.slice(0, start));
      buffer = buffer.slice(start);
      const attempt: CallBlockParse = parseCallBlock(buffer, { final, ...(toolNames ? { toolNames } : {}) });
      if (attempt.status === 'incomplete') break;
      if (attempt.status === 'complete') {
        if (attempt.length === buffer.length && !final && !attempt.closed) break;
        if (attempt.closed || boundaryAfter(buffer[attempt.length])) {
          for (const call of attempt.calls) events.push({ type: 'tool-call', call });
          buffer = buffer.slice(attempt.length);
          previous = ' ';
          continue;
        }
      }
      // Not a call: the opening character is text, and scanning goes on after it.
      emitText(buffer[0]!);
      buffer = buffer.slice(1);
    }
    return events;
  };

  return {
    push: (chunk) => {
      buffer += chunk;
      return drain(false);
    },
    end: () => drain(true),
  };
}
