import type { TokenCountPool } from './token-count-pool.js';

// Texts are read and counted this many characters at a time: enough for the pool to spread a batch over its
// workers, little enough that counting a whole repository never holds its text.
const batchCharacters = 16_000_000;

/**
 * Counts texts exactly, reading them (`texts` are readers, called once each, in order) a batch at a time, so that
 * memory holds one batch rather than every text. Results are in the order of `texts`.
 */
export async function countInBatches(options: {
  texts: readonly (() => string)[];
  pool: TokenCountPool;
  onCounted?: ((files: number) => void) | undefined;
  /** Characters per batch (default 16M). */
  batchCharacters?: number;
}): Promise<number[]> {
  const limit = options.batchCharacters ?? batchCharacters;
  const counts: number[] = [];
  let batch: string[] = [];
  let size = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const texts = batch;
    batch = [];
    size = 0;
    counts.push(...(await options.pool.count(texts, options.onCounted)));
  };
  for (const read of options.texts) {
    const text = read();
    batch.push(text);
    size += text.length;
    if (size >= limit) await flush();
  }
  await flush();
  return counts;
}
