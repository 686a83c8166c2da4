import { describe, expect, it } from 'vitest';
import { defaultMaxCallBlockLength } from '../../src/text-calls/call-block-reader.js';
import {
  createTextToolCallStream,
  type TextToolCallEvent,
} from '../../src/text-calls/text-tool-call-stream.js';

const run = (chunks: readonly string[]) => {
  const stream = createTextToolCallStream();
  const perChunk = chunks.map((chunk) => stream.push(chunk));
  return { perChunk, final: stream.end() };
};

const calls = (events: TextToolCallEvent[]) => events.filter((event) => event.type === 'tool-call');

describe('createTextToolCallStream', () => {
  it('emits no call until the call is complete', () => {
    const { perChunk, final } = run([
      '<|python_start|>[get_wea',
      'ther(city="S',
      'F", days=',
      '3)',
      ']',
      '<|python_end|>',
    ]);
    expect(perChunk.flat()).toEqual([
      { type: 'tool-call', call: { name: 'get_weather', arguments: { city: 'SF', days: 3 } } },
    ]);
    expect(perChunk.slice(0, 5).flat()).toEqual([]);
    expect(final).toEqual([]);
  });

  it('streams prose immediately and holds back only what might be a call', () => {
    const { perChunk, final } = run(['Hello ', 'world. [', 'see below]', ' done']);
    expect(perChunk[0]).toEqual([{ type: 'text', text: 'Hello ' }]);
    expect(perChunk[1]).toEqual([{ type: 'text', text: 'world. ' }]);
    expect(perChunk[2]).toEqual([{ type: 'text', text: '[see below]' }]);
    expect([...perChunk[3]!, ...final]).toEqual([{ type: 'text', text: ' done' }]);
  });

  it('emits three calls that arrive in one delta', () => {
    const { perChunk, final } = run(['[a(x=1), b(y="2"), c()]']);
    expect(
      calls([...perChunk.flat(), ...final]).map((event) => event.type === 'tool-call' && event.call.name),
    ).toEqual(['a', 'b', 'c']);
  });

  it('returns a call cut short by the end of the stream as text', () => {
    const { perChunk, final } = run(['[get_weather(city="SF"']);
    expect(perChunk.flat()).toEqual([]);
    expect(final).toEqual([{ type: 'text', text: '[get_weather(city="SF"' }]);
  });

  it('holds back a partial python_start tag', () => {
    const { perChunk, final } = run(['<|pyth', 'on_start|>[f()]']);
    expect(perChunk.flat()).toEqual([]);
    expect(final).toEqual([{ type: 'tool-call', call: { name: 'f', arguments: {} } }]);
  });
});

describe('createTextToolCallStream on a long streamed block', () => {
  const longCall = (size: number) =>
    `[edit_file(path="a.ts", content="""${'const x = 1; // filler text\n'.repeat(size / 28)}""")]`;
  const pushAll = (text: string, chunkSize: number) => {
    const stream = createTextToolCallStream({ toolNames: ['edit_file'] });
    const events: TextToolCallEvent[] = [];
    for (let index = 0; index < text.length; index += chunkSize)
      events.push(...stream.push(text.slice(index, index + chunkSize)));
    events.push(...stream.end());
    return events;
  };

  // Read from its start after every chunk, a 512 KB block would take many minutes (64 KB took 17 s).
  it('reads a 512 KB call streamed four characters at a time as one call', () => {
    const events = pushAll(longCall(512_000), 4);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.type === 'tool-call' && event.call.name).toBe('edit_file');
    expect(event?.type === 'tool-call' && String(event.call.arguments.content).length).toBeGreaterThan(
      500_000,
    );
  }, 60_000);

  it('releases a 512 KB text that only opened like a call, whole and in order', () => {
    const text = `[edit_file(path="a.ts", content="""${'not a call, an endless string\n'.repeat(17_000)}`;
    const events = pushAll(text, 4);
    expect(events.map((event) => (event.type === 'text' ? event.text : '?')).join('')).toBe(text);
  }, 60_000);
});

describe('createTextToolCallStream on a block that never ends', () => {
  const textOf = (events: TextToolCallEvent[]) =>
    events.map((event) => (event.type === 'text' ? event.text : '?')).join('');

  // A host that ignores max_tokens can stream an opened call for ever; held back, it would never reach the user and
  // would be kept in memory until the connection ends.
  it('releases an opened call as text once it passes the limit, without waiting for the end', () => {
    const stream = createTextToolCallStream({ toolNames: ['edit_file'] });
    const opening = '[edit_file(path="a.ts", content="""';
    const chunk = 'and on and on\n'.repeat(4096);
    const released = [stream.push(opening)];
    while (released.flat().length === 0 && released.length * chunk.length < 2 * defaultMaxCallBlockLength)
      released.push(stream.push(chunk));
    const before = textOf(released.flat());
    expect(before.startsWith(opening)).toBe(true);
    expect(before.length).toBeGreaterThanOrEqual(defaultMaxCallBlockLength);
    expect(before.length).toBeLessThanOrEqual(defaultMaxCallBlockLength + chunk.length);
    // What follows is read as ordinary text again; nothing is lost or repeated.
    const after = [...stream.push(' done'), ...stream.end()];
    expect(before + textOf(after)).toBe(`${opening}${chunk.repeat(released.length - 1)} done`);
  });

  it('takes a complete call longer than the limit as text, however it is split', () => {
    const call = `[edit_file(path="a.ts", content="${'y'.repeat(2000)}")]`;
    const whole = createTextToolCallStream({ maxBlockLength: 1000 });
    const split = createTextToolCallStream({ maxBlockLength: 1000 });
    const streamed = [...call].flatMap((character) => split.push(character));
    expect(textOf([...whole.push(call), ...whole.end()])).toBe(call);
    expect(textOf([...streamed, ...split.end()])).toBe(call);
    // Up to the limit it is a call.
    const fits = createTextToolCallStream({ maxBlockLength: call.length });
    expect([...fits.push(call), ...fits.end()].map((event) => event.type)).toEqual(['tool-call']);
  });
});
