import { describe, expect, it, vi } from 'vitest';

describe('sharedO200kRankTable', () => {
  it('is the table built in the background, once it is built: one table per process', async () => {
    // A fresh module, so that no earlier test file in this worker has built the table already.
    vi.resetModules();
    const shared = await import('../../src/tokens/shared-o200k-rank-table.js');
    shared.warmUpO200kRankTable();
    const built = await shared.settledO200kRankTable();
    expect(built?.offsets.length).toBeGreaterThan(199_000);
    expect(shared.sharedO200kRankTable()).toBe(built);
    shared.warmUpO200kRankTable();
    expect(await shared.settledO200kRankTable()).toBe(built);
  });

  it('gives nothing before a table is built, and builds one on the calling thread when asked', async () => {
    vi.resetModules();
    const shared = await import('../../src/tokens/shared-o200k-rank-table.js');
    expect(await shared.settledO200kRankTable()).toBeUndefined();
    const table = shared.sharedO200kRankTable();
    expect(shared.sharedO200kRankTable()).toBe(table);
    expect(await shared.settledO200kRankTable()).toBe(table);
  });
});
