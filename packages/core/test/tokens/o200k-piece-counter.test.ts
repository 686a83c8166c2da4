import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createO200kPieceCounter, loadO200kRankTable } from '../../src/tokens/o200k-piece-counter.js';

const require = createRequire(import.meta.url);
const tokenizer = require('gpt-tokenizer/encoding/o200k_base') as {
  countTokens(text: string, options: object): number;
};
const reference = (text: string) => tokenizer.countTokens(text, { disallowedSpecial: new Set() });
// One o200k piece: the pre-tokenizer's expression, as gpt-tokenizer and tiktoken use it.
const contraction = "(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?";
const split = new RegExp(
  `[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+${contraction}|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*${contraction}|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`,
  'gu',
);
const pieces = (text: string) => [...text.matchAll(split)].map(([piece]) => piece);

describe('loadO200kRankTable', () => {
  it("reads every token of gpt-tokenizer's o200k rank list from its .tiktoken file, at its rank", () => {
    const list = (
      require('gpt-tokenizer/bpeRanks/o200k_base') as { default: (string | number[] | undefined)[] }
    ).default;
    const table = loadO200kRankTable();
    expect(table.offsets.length).toBe(list.length);
    const encoder = new TextEncoder();
    const different: number[] = [];
    list.forEach((token, rank) => {
      const expected =
        token === undefined ? [] : typeof token === 'string' ? [...encoder.encode(token)] : token;
      const offset = table.offsets[rank]!;
      const actual = [...table.bytes.subarray(offset, offset + table.lengths[rank]!)];
      if (actual.length !== expected.length || actual.some((byte, index) => byte !== expected[index]))
        different.push(rank);
    });
    expect(different).toEqual([]);
  });
});

describe('createO200kPieceCounter', () => {
  const counter = createO200kPieceCounter(loadO200kRankTable);

  it('counts a piece that is one token as one', () => {
    expect([' function', 'const', ' the', '\n\n', '    '].map(counter.count)).toEqual([1, 1, 1, 1, 1]);
  });

  it('merges pieces that are no single token as gpt-tokenizer does', () => {
    const samples = [
      'XMLHttpRequestUpload',
      ' zxqvjkwpq',
      '0x1F2E3D4C5B6A',
      ' /*!@#$%^&*()_+-=[]{}|;:,.<>?',
      ' naïveté',
      ' Привет',
      '中文分词测试',
      ' 😀😁😂🤣',
    ];
    for (const piece of samples)
      expect({ piece, count: counter.count(piece) }).toEqual({ piece, count: reference(piece) });
  });

  it('merges long pieces (a run of emoji, a run of punctuation) as gpt-tokenizer does', () => {
    const emoji = ` "${'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰'.repeat(40)}`;
    const marks = '!#$%&()*+,-.:;<=>?@[]^_`{|}~';
    const punctuation = Array.from(
      { length: 2_000 },
      (_, index) => marks[(index * 7919) % marks.length],
    ).join('');
    for (const piece of [emoji, punctuation]) {
      expect(pieces(piece)).toEqual([piece]);
      expect(counter.count(piece)).toBe(reference(piece));
    }
  });

  it('counts every piece of arbitrary text as gpt-tokenizer does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const bom = text.includes('\ufeff');
        fc.pre(!bom);
        const total = pieces(text).reduce((sum, piece) => sum + counter.count(piece), 0);
        expect(total).toBe(reference(text));
      }),
      { numRuns: 300 },
    );
  });

  it('counts a byte-order mark as the single token it is in o200k, as tiktoken does', () => {
    // gpt-tokenizer decodes token bytes with a TextDecoder that drops a leading byte-order mark, so it misses
    // this token and counts 2; OpenAI's tiktoken (and its js-tiktoken port) count 1.
    expect(counter.count('\ufeff')).toBe(1);
  });
});
