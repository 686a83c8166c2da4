import { createTextToolCallStream } from '@herd/tools';

/**
 * Streamed model text without the tool calls written into it: text that opens like a Llama 4 call
 * (`<|python_start|>`, `[name(`, `{"name": …`) is held back until the text-call parser knows whether it is one; a
 * call is dropped (it reaches the loop as a tool call, not as words for the user), anything else is released. For
 * a host configured for native tool calls that answers with pythonic text instead.
 */
export async function* withholdCallText(
  source: AsyncIterable<string>,
  options: { toolNames?: readonly string[] } = {},
): AsyncIterable<string> {
  const stream = createTextToolCallStream(options.toolNames ? { toolNames: options.toolNames } : {});
  const textOf = (events: ReturnType<typeof stream.push>) =>
    events.map((event) => (event.type === 'text' ? event.text : '')).join('');
  for await (const chunk of source) {
    const text = textOf(stream.push(chunk));
    if (text) yield text;
  }
  const rest = textOf(stream.end());
  if (rest) yield rest;
}
