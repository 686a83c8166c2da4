import type { TextToolCall } from './parse-call-block.js';
import { createTextToolCallStream, type TextToolCallOptions } from './text-tool-call-stream.js';

/** Message text split into tool calls and the remaining content. */
export interface TextToolCallParse {
  /** The text outside the call blocks, trimmed; the whole text when there are no calls. */
  content: string;
  /** The calls, in order. */
  calls: TextToolCall[];
}

/**
 * Reads tool calls written into a complete message (see `createTextToolCallStream` for the forms accepted).
 * Never throws: anything that is not a well-formed call block stays in `content`.
 *
 * @example
 * parseTextToolCalls('<|python_start|>[get_weather(city="SF", days=3)]<|python_end|>');
 * // { content: '', calls: [{ name: 'get_weather', arguments: { city: 'SF', days: 3 } }] }
 */
export function parseTextToolCalls(text: string, options: TextToolCallOptions = {}): TextToolCallParse {
  const stream = createTextToolCallStream(options);
  const events = [...stream.push(text), ...stream.end()];
  const calls = events.flatMap((event) => (event.type === 'tool-call' ? [event.call] : []));
  const texts = events.flatMap((event) => (event.type === 'text' ? [event.text] : []));
  return { content: calls.length > 0 ? texts.join('').trim() : text, calls };
}
