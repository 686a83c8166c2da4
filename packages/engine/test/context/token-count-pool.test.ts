import { o200kTokens } from '@herd/test-support';
import { describe, expect, it } from 'vitest';
import { createTokenCountPool } from '../../src/context/tokens/token-count-pool.js';

// Edge cases of the o200k split, counted by gpt-tokenizer as the reference.
const texts = [
  '',
  "It's, they're, we'VE, I'M, you'll, she'd, don'T: 'sfoo 'll'd",
  'camelCaseWord HTTPServer XMLHttpRequest 1 12 1234567 v1.2.3',
  'windows\r\nline\r\n\r\nendings \r\n  \r\n// comment\n/path/to/file\n\t\tindented();\n',
  '<|endoftext|> <|fim_prefix|> plain',
  'naïve café — “quotes” 中文 русский 😀\nplain line\nnext line 123\n',
];

describe('createTokenCountPool', () => {
  it('gives the same counts in worker threads as on the calling thread', async () => {
    const pool = createTokenCountPool({ workers: 1, workerBatchCharacters: 0 });
    try {
      expect(await pool.count(texts)).toEqual(texts.map(o200kTokens));
    } finally {
      await pool.close();
    }
  });

  it('counts on the calling thread alone without workers', async () => {
    const pool = createTokenCountPool({ workers: 0 });
    pool.warmUp();
    expect(await pool.count(texts)).toEqual(texts.map(o200kTokens));
    await pool.close();
  });
});
