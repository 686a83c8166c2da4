import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { countO200kTokens, estimateO200kTokens } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { type CountedFile, calibrateTokenCounts } from '../../src/context/tokens/calibrate-token-counts.js';
import { createTokenCountPool } from '../../src/context/tokens/token-count-pool.js';

const require = createRequire(import.meta.url);

/** The TypeScript sources of the zod package, as they would be counted. */
function zodSources(): { path: string; text: string }[] {
  const root = dirname(require.resolve('zod/package.json'));
  const files: { path: string; text: string }[] = [];
  const visit = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) visit(child);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts'))
        files.push({ path: child.slice(root.length + 1), text: readFileSync(child, 'utf8') });
    }
  };
  visit(root);
  return files;
}

const counted = (path: string, text: string): CountedFile => ({
  path,
  text: () => text,
  estimate: estimateO200kTokens(text),
  tokens: 0,
  exact: false,
});

describe('calibrateTokenCounts', () => {
  it('samples a repository of many small directories instead of counting it whole, within 1%', async () => {
    // Two files in each of 150 directories: every directory alone is too small to sample, all of them together
    // are not. The files are alike, so the sample's ratio is sure and no second pass is needed.
    const source = zodSources().find((file) => file.path.endsWith('v4/classic/schemas.ts'))!.text;
    const files = Array.from({ length: 300 }, (_, index) =>
      counted(
        `pkg${Math.floor(index / 2)}/src/schema-${index}.ts`,
        `${source}\nexport const version = ${index};\n`,
      ),
    );
    const pool = createTokenCountPool({ workers: 0 });
    await calibrateTokenCounts({ files, pool, exact: false });
    const exactFiles = files.filter((file) => file.exact).length;
    expect(exactFiles).toBeLessThan(files.length / 4);
    const total = files.reduce((sum, file) => sum + file.tokens, 0);
    const exact = files.reduce((sum, file) => sum + countO200kTokens(file.text()), 0);
    expect(Math.abs(total - exact) / exact).toBeLessThan(0.01);
  });

  it('grows the sample of a stratum whose files disagree instead of counting all of it, within 1%', async () => {
    // Real sources of many shapes in one stratum: the first sample alone is too unsure for the total.
    const sources = zodSources();
    const copies = [...sources, ...sources, ...sources];
    const files = copies.map((file, index) =>
      counted(`src/lib/${index}-${file.path.replaceAll('/', '-')}`, file.text),
    );
    const pool = createTokenCountPool({ workers: 0 });
    await calibrateTokenCounts({ files, pool, exact: false });
    const exactFiles = files.filter((file) => file.exact).length;
    expect(exactFiles).toBeGreaterThan(files.length * 0.1);
    expect(exactFiles).toBeLessThan(files.length);
    const total = files.reduce((sum, file) => sum + file.tokens, 0);
    const exact = files.reduce((sum, file) => sum + countO200kTokens(file.text()), 0);
    expect(Math.abs(total - exact) / exact).toBeLessThan(0.01);
  });

  it('extrapolates a large file from some of its own slices, within 1%', async () => {
    // One file of every zod source joined (over 24K estimated tokens) beside a stratum of small files.
    const sources = zodSources();
    const large = counted('src/all.ts', sources.map((file) => file.text).join('\n'));
    const small = sources.map((file, index) => counted(`lib/${index}.ts`, file.text));
    const files = [large, ...small];
    await calibrateTokenCounts({ files, pool: createTokenCountPool({ workers: 0 }), exact: false });
    expect(large.estimate).toBeGreaterThan(24_000);
    expect(large.exact).toBe(false);
    const exact = countO200kTokens(large.text());
    expect(Math.abs(large.tokens - exact) / exact).toBeLessThan(0.01);
  });

  it('gives the same counts whatever earlier packs counted exactly', async () => {
    const sources = zodSources();
    const make = () =>
      [...sources, ...sources, ...sources].map((file, index) =>
        counted(`src/${index % 7}/${index}-${file.path.replaceAll('/', '-')}`, file.text),
      );
    const pool = createTokenCountPool({ workers: 0 });
    const first = make();
    await calibrateTokenCounts({ files: first, pool, exact: false });
    // As an earlier --exact pack would have left them: every third file counted exactly.
    const repacked = make().map((file, index) =>
      index % 3 === 0 ? { ...file, tokens: countO200kTokens(file.text()), exact: true } : file,
    );
    await calibrateTokenCounts({ files: repacked, pool, exact: false });
    expect(repacked.map(({ tokens, exact }) => ({ tokens, exact }))).toEqual(
      first.map(({ tokens, exact }) => ({ tokens, exact })),
    );
  });

  it('counts the same with worker threads as on the calling thread alone', async () => {
    const texts = zodSources().map((file) => file.text);
    const alone = createTokenCountPool({ workers: 0 });
    const shared = createTokenCountPool({ workers: 1, workerBatchCharacters: 0 });
    try {
      shared.warmUp();
      expect(await shared.count(texts)).toEqual(await alone.count(texts));
    } finally {
      await shared.close();
    }
  });
});
