import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { o200kTokens } from '@herd/test-support';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import type { createTokenCountPool } from '../../src/context/tokens/token-count-pool.js';

// The counting workers run the counter from its functions' sources. Bundled with other code that declares the same
// top-level names, esbuild renames the counter's functions (createPieceMemo becomes createPieceMemo2, as `Worker`
// became `Worker2` in the herd bundle's pack chunk): a worker that called them by their written names would fail on
// its first count, in `herd pack`, and in no unbundled test.
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'herd-pool-bundle-'));

// Its own package.json: an enclosing one (a stray /tmp/package.json) could mark the files as free of side effects.
writeFileSync(join(scratch, 'package.json'), JSON.stringify({ private: true, type: 'module' }));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The pool bundled as the herd command is, after a module that claims every name the counter's sources define. */
async function bundleWithCollidingNames(): Promise<{ pool: typeof createTokenCountPool; code: string }> {
  const names = ['createPieceMemo', 'countByPieces', 'countPieceTokens', 'parseO200kRankTable', 'hashBytes'];
  const collide = join(scratch, 'collide.js');
  writeFileSync(
    collide,
    names.map((name) => `export function ${name}() { return 'not the counter'; }`).join('\n'),
  );
  const entry = join(scratch, 'entry.js');
  // The colliding module comes first in the bundle, so it keeps the names and the counter's functions are renamed.
  writeFileSync(
    entry,
    [
      `export * as claimed from ${JSON.stringify(collide)};`,
      `export { createTokenCountPool } from ${JSON.stringify(source('../../src/context/tokens/token-count-pool.ts'))};`,
    ].join('\n'),
  );
  const outfile = join(scratch, 'out', 'pool.js');
  // The herd command's own settings (its externals, its banner, its minifying), only the entry and output differ.
  const { herdBundleSettings } = (await import(
    new URL('../../../../scripts/herd-bundle-settings.mjs', import.meta.url).href
  )) as {
    herdBundleSettings: BuildOptions;
  };
  await build({
    ...herdBundleSettings,
    entryPoints: [entry],
    outfile,
    alias: { '@herd/core': source('../../../core/src/index.ts') },
    logLevel: 'silent',
  });
  // The rank file is read from gpt-tokenizer's files, found beside the bundle (it is external).
  const tokenizer = dirname(
    dirname(createRequire(import.meta.url).resolve('gpt-tokenizer/data/o200k_base.tiktoken')),
  );
  mkdirSync(join(scratch, 'node_modules'));
  symlinkSync(tokenizer, join(scratch, 'node_modules', 'gpt-tokenizer'), 'dir');
  const bundled = (await import(pathToFileURL(outfile).href)) as {
    createTokenCountPool: typeof createTokenCountPool;
  };
  return { pool: bundled.createTokenCountPool, code: readFileSync(outfile, 'utf8') };
}

describe('createTokenCountPool bundled with names that collide with the counter', () => {
  it('counts on worker threads as on the calling thread, whatever the bundler renamed', async () => {
    const { pool: createPool, code } = await bundleWithCollidingNames();
    // The attack took: the counter's own functions were renamed in the bundle.
    expect(code).toContain('function createPieceMemo2(');
    expect(code).toContain('function countPieceTokens2(');
    const texts = ['camelCaseWord HTTPServer 1234567 v1.2.3', 'naïve café — “quotes” 中文 😀\nnext line\n'];
    // First the worker builds the rank table itself; then the table is built on a thread of its own (warmUp) and
    // handed to the next pool's worker.
    for (const warm of [false, true]) {
      const pool = createPool({ workers: 1, workerBatchCharacters: 0 });
      try {
        if (warm) pool.warmUp();
        expect(await pool.count(texts)).toEqual(texts.map(o200kTokens));
      } finally {
        await pool.close();
      }
    }
  });
});
