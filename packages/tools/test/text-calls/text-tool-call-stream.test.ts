import { describe, expect, it } from 'vitest';
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
