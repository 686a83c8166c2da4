import { type CallBlockParse, CallBlockReader, type CallBlockReaderOptions } from './call-block-reader.js';

export type { CallBlockParse, TextToolCall } from './call-block-reader.js';
export { defaultMaxCallBlockLength, pythonEndTag, pythonStartTag } from './call-block-reader.js';

/**
 * Tries to read one call block at the start of `text` (see {@link CallBlockReader} for the forms): an optional
 * `<|python_start|>` tag, then a pythonic call list or a JSON call (or list of them), then the optional
 * `<|python_end|>` tag. `final` says no more text will come, so a block cut short is invalid rather than incomplete.
 * A block longer than `maxLength` characters (default 1 MiB) is `too-long`.
 *
 * @example
 * parseCallBlock('[f(a=1)] and more', { final: true });
 * // { status: 'complete', calls: [{ name: 'f', arguments: { a: 1 } }], length: 8, closed: false }
 */
export function parseCallBlock(
  text: string,
  options: { final: boolean } & CallBlockReaderOptions,
): CallBlockParse {
  const reader = new CallBlockReader(options);
  const outcome = reader.feed(text);
  return options.final ? reader.finish() : outcome;
}
