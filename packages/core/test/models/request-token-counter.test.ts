import { o200kTokens } from '@herd/test-support';
import { describe, expect, it } from 'vitest';
import { createRequestTokenCounter } from '../../src/models/request-token-counter.js';
import { createO200kTokenCounter } from '../../src/tokens/o200k-token-counter.js';

const counter = createRequestTokenCounter();
const estimate = createO200kTokenCounter({ mode: 'estimate' });

function randomText(alphabet: readonly string[], length: number, lineLength?: number): string {
  let seed = 11;
  let text = '';
  for (let index = 0; index < length; index++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    text += alphabet[seed % alphabet.length];
    if (lineLength && (index + 1) % lineLength === 0) text += '\n';
  }
  return text;
}

const punctuation = randomText([...'!#$%&()*+,-./:;<=>?@[]^_`{|}~'], 50_000, 100);
const words = Array.from({ length: 10_000 }, (_, index) =>
  randomText([...'abcdefghijklmnopqrstuvwxyz'], 4 + (index % 3)),
).join(' ');
const rareCjk = randomText(
  Array.from({ length: 2_000 }, (_, index) => String.fromCodePoint(0x20000 + index * 7)),
  10_000,
  80,
);
const code = `${'export function add(left, right) {\n  return left + right; // sum\n}\n\n'.repeat(300)}`;

describe('createRequestTokenCounter', () => {
  it.each([
    ['punctuation', punctuation],
    ['random words', words],
    ['rare CJK', rareCjk],
    ['ordinary code', code],
  ])(
    'counts %s at no less than the o200k BPE, where the estimate undercounts hostile text',
    (_name, text) => {
      const exact = o200kTokens(text);
      const counted = counter.count(text);
      expect(counted).toBeGreaterThanOrEqual(exact);
      expect(counted).toBeLessThanOrEqual(exact * 1.02 + 4);
    },
  );

  it('is needed: the fast estimate takes 50,000 punctuation characters for almost nothing', () => {
    expect(estimate.count(punctuation)).toBeLessThan(o200kTokens(punctuation) / 100);
  });

  it('counts a 1 MB line without whitespace (the BPE alone is quadratic in it: many minutes) in slices', () => {
    const line = randomText([...'!#$%&()*+,-./:;<=>?@[]^_`{|}~'], 1_000_000);
    const counted = counter.count(line);
    // Every character is at most a token; random punctuation is well over half a token each.
    expect(counted).toBeGreaterThan(500_000);
    expect(counted).toBeLessThanOrEqual(1_000_000);
  }, 120_000);

  it('cuts to a token budget at a line end, a start of the text that fits', () => {
    for (const text of [punctuation, rareCjk, code]) {
      const cut = counter.cut(text, 1_000);
      expect(cut.cut).toBe(true);
      expect(text.startsWith(cut.text)).toBe(true);
      expect(cut.text.endsWith('\n')).toBe(true);
      expect(o200kTokens(cut.text)).toBeLessThanOrEqual(1_000);
      expect(o200kTokens(cut.text)).toBeGreaterThan(500);
    }
  });

  it('cuts a huge line without a line end inside it, never between the halves of a surrogate pair', () => {
    const line = randomText(['😀', '🦙', 'a', '🧪'], 400_000);
    const cut = counter.cut(line, 2_000);
    expect(cut.cut).toBe(true);
    expect(line.startsWith(cut.text)).toBe(true);
    // No lone surrogate: a pair cut in half would leave one at the end.
    expect(cut.text).not.toMatch(/[\uD800-\uDBFF]$/);
    expect(cut.text).not.toMatch(/(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(o200kTokens(cut.text)).toBeLessThanOrEqual(2_000);
  }, 120_000);

  it('counts ordinary text exactly as o200k, with special-token text as plain text', () => {
    for (const text of ['hello world', 'before <|endoftext|> after <|fim_prefix|>', code.slice(0, 2_000)])
      expect(counter.count(text)).toBe(o200kTokens(text));
    const special = '<|endoftext|>'.repeat(200);
    expect(o200kTokens(counter.cut(special, 100).text)).toBeLessThanOrEqual(100);
  });

  it('leaves a text that fits as it is', () => {
    expect(counter.cut(code, 1_000_000)).toEqual({ text: code, cut: false });
    expect(counter.cut('', 0)).toEqual({ text: '', cut: false });
  });
});
