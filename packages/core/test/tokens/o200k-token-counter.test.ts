import { o200kTokens } from '@herd/test-support';
import { describe, expect, it } from 'vitest';
import { createO200kTokenCounter } from '../../src/tokens/o200k-token-counter.js';

describe('createO200kTokenCounter', () => {
  it('counts o200k tokens exactly by default', () => {
    expect(createO200kTokenCounter().count('hello world')).toBe(2);
  });

  it('estimates within 25% of the exact count on source code', () => {
    const source =
      `export function add(left: number, right: number): number {\n  return left + right;\n}\n`.repeat(50);
    const exact = createO200kTokenCounter().count(source);
    const estimate = createO200kTokenCounter({ mode: 'estimate' }).count(source);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.25);
  });

  it('counts nothing for empty text', () => {
    expect(createO200kTokenCounter({ mode: 'estimate' }).count('')).toBe(0);
  });
});

describe('createO200kTokenCounter on special-token text', () => {
  it('counts text that contains <|endoftext|> as plain text instead of throwing', () => {
    expect(createO200kTokenCounter().count('before <|endoftext|> after')).toBeGreaterThan(3);
  });

  it('counts special-token text exactly as gpt-tokenizer counts it as plain text', () => {
    const text = '<|endoftext|><|fim_prefix|>x<|fim_middle|> <|endofprompt|>';
    expect(createO200kTokenCounter().count(text)).toBe(o200kTokens(text));
  });
});

describe('createO200kTokenCounter on byte-order marks', () => {
  it('counts one token for a byte-order mark, as tiktoken does (gpt-tokenizer counts two)', () => {
    expect(createO200kTokenCounter().count('\ufeffexport const a = 1;')).toBe(
      o200kTokens('export const a = 1;') + 1,
    );
  });
});
