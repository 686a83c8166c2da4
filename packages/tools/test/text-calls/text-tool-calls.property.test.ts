import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPythonicToolCalls } from '../../src/text-calls/format-pythonic-tool-calls.js';
import { parseTextToolCalls } from '../../src/text-calls/parse-text-tool-calls.js';
import { createTextToolCallStream } from '../../src/text-calls/text-tool-call-stream.js';

const identifier = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/);
const jsonValue = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);
const call = fc.record({
  name: identifier,
  arguments: fc.dictionary(identifier, jsonValue, { maxKeys: 5 }),
});

const hostileText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom(...'[](){}=,"\'\\ abcxyz019-.:TrueFalsNn\n<|>_'.split('')),
    maxLength: 200,
  }),
  fc
    .array(
      fc.constantFrom(
        '<|python_start|>',
        '<|python_end|>',
        '[',
        ']',
        'f(',
        ')',
        'a=',
        '"x"',
        ',',
        ' ',
        '"""',
        '{"name": "f", "parameters": {}}',
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join('')),
);

describe('text tool-call properties', () => {
  it('round-trips generated pythonic calls', () => {
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 4 }), (calls) => {
        const parsed = parseTextToolCalls(formatPythonicToolCalls(calls));
        expect(parsed.content).toBe('');
        expect(parsed.calls).toEqual(calls);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips calls wrapped in python tags with text around them', () => {
    fc.assert(
      fc.property(
        fc.array(call, { minLength: 1, maxLength: 3 }),
        fc.stringMatching(/^[A-Za-z .,]{0,40}$/),
        (calls, prose) => {
          const parsed = parseTextToolCalls(
            `${prose}\n<|python_start|>${formatPythonicToolCalls(calls)}<|python_end|>`,
          );
          expect(parsed.calls).toEqual(calls);
          expect(parsed.content).toBe(prose.trim());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never throws on random input and keeps all text when it finds no call', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const parsed = parseTextToolCalls(text);
        if (parsed.calls.length === 0) expect(parsed.content).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same result however the text is split into stream chunks', () => {
    const textWithCalls = fc.oneof(
      hostileText,
      fc.array(call, { minLength: 1, maxLength: 3 }).map(formatPythonicToolCalls),
    );
    fc.assert(
      fc.property(textWithCalls, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort(
          (left, right) => left - right,
        );
        const chunks = [0, ...points, text.length]
          .slice(1)
          .map((end, index, ends) => text.slice(index === 0 ? 0 : ends[index - 1], end));
        const stream = createTextToolCallStream();
        const events = [...chunks.flatMap((chunk) => stream.push(chunk)), ...stream.end()];
        const streamedCalls = events.flatMap((event) => (event.type === 'tool-call' ? [event.call] : []));
        const streamedText = events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
        const whole = parseTextToolCalls(text);
        expect(streamedCalls).toEqual(whole.calls);
        if (whole.calls.length === 0) expect(streamedText).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
