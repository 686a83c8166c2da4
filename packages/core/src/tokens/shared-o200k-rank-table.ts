import {
  loadO200kRankTable,
  loadO200kRankTableInBackground,
  type O200kRankTable,
} from './o200k-piece-counter.js';

// o200k's rank table for this process, shared by every exact counter in it (core's request and o200k counters,
// the engine's pack counting): built on a worker thread when a pack warms it up, else here on first use. One table
// per process: each costs about 0.1 s of CPU to build and about 5 MB to hold.
let table: O200kRankTable | undefined;
let tableLoading: Promise<unknown> | undefined;

/**
 * o200k's rank table for this process, built on the calling thread now (about 0.1 s) unless it already has one.
 * A build running in the background does not stop this one: a caller that can wait should await
 * {@link settledO200kRankTable} first.
 */
export function sharedO200kRankTable(): O200kRankTable {
  table ??= loadO200kRankTable();
  return table;
}

/**
 * Starts building this process's o200k rank table on a worker thread, for counting about to start (a pack lists and
 * reads files meanwhile). Idempotent; if the worker fails, the table is built on the calling thread when first
 * needed.
 */
export function warmUpO200kRankTable(): void {
  if (table || tableLoading) return;
  tableLoading = loadO200kRankTableInBackground().then(
    (loaded) => {
      table ??= loaded;
    },
    () => {},
  );
}

/**
 * Waits for a background build (see {@link warmUpO200kRankTable}) if one is running, so that the calling thread
 * does not build a second table; gives the process's table if it has one by then, without building it.
 */
export async function settledO200kRankTable(): Promise<O200kRankTable | undefined> {
  if (!table && tableLoading) await tableLoading;
  return table;
}
