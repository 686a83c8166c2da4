import {
  type CallBlockParse,
  parseCallBlock,
  pythonStartTag,
  type TextToolCall,
} from './parse-call-block.js';
import { createTextToolCallStream, type TextToolCallOptions } from './text-tool-call-stream.js';

/** Message text split into tool calls and the remaining content. */
export interface TextToolCallParse {
  /** The text outside the call blocks, trimmed; the whole text when there are no calls. */
  content: string;
  /** The calls, in order. */
  calls: TextToolCall[];
  /**
   * Only with `toolNames`: set when there are no calls but the text opens with what was meant as a call to one of
   * those tools (`[edit_file(` or `{"name": "edit_file"`) that could not be read; names the tool and why, so the
   * model can be asked to send it again.
   */
  unreadable?: { name: string; problem: string };
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
  if (calls.length > 0) return { content: texts.join('').trim(), calls };
  const unreadable = findUnreadableCall(text, options);
  return { content: text, calls, ...(unreadable ? { unreadable } : {}) };
}

const pythonicOpening = /^\[\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\(/;
const jsonOpening = /^\[?\s*\{\s*"name"\s*:\s*"([^"]+)"/;

function findUnreadableCall(
  text: string,
  options: TextToolCallOptions,
): TextToolCallParse['unreadable'] | undefined {
  const block = text.trim();
  const body = block.startsWith(pythonStartTag) ? block.slice(pythonStartTag.length).trimStart() : block;
  const name = (pythonicOpening.exec(body) ?? jsonOpening.exec(body))?.[1];
  if (name === undefined || !options.toolNames?.includes(name)) return undefined;
  // Not final: a block cut off at the end of the text then reads as incomplete rather than invalid.
  const attempt = parseCallBlock(block, { final: false, maxLength: options.maxBlockLength });
  const problems: Record<CallBlockParse['status'], string> = {
    incomplete: 'the text ends before the call is complete',
    invalid: 'it is not a well-formed call',
    complete: 'other text follows the call',
    'too-long': `it is longer than the ${attempt.status === 'too-long' ? attempt.limit : 0} characters read as one call (make the change in several smaller calls)`,
  };
  return { name, problem: problems[attempt.status] };
}
