import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  countO200kTokens,
  fastCounterSource,
  type O200kRankTable,
  o200kPieceCounterSource,
  o200kRankListPath,
  o200kSourceNames,
  settledO200kRankTable,
  warmUpO200kRankTable,
} from '@herd/core';

/** Exact o200k counting spread over worker threads and the calling thread. */
export interface TokenCountPool {
  /** Counts each text exactly; results are in the order of `texts`. */
  count(texts: readonly string[], onCounted?: (files: number) => void): Promise<number[]>;
  /** Starts loading the tokenizer on another thread now, while the caller lists and reads files. */
  warmUp(): void;
  /** Stops the workers. */
  close(): Promise<void>;
}

// About 20 to 50 ms of counting: short enough that the calling thread lets worker results in often.
const chunkCharacters = 256 * 1024;
// Below this many characters in one count (about half a second of counting code) no worker is started.
const workerBatchCharacters = 8_000_000;

// The worker is evaluated from source so that it runs the same way from TypeScript sources (tests) and from dist.
const workerSource = () => `
const { parentPort, workerData } = require('node:worker_threads');
${o200kPieceCounterSource()}
${fastCounterSource()}
// The rank table comes from the parent when it has one; the path is resolved by the parent, because an
// evaluated worker resolves packages from the working directory.
const table = workerData.table ?? ${o200kSourceNames.parseTable}(require('node:fs').readFileSync(workerData.ranks));
const slow = (piece) => ${o200kSourceNames.countPiece}(piece, table);
const memo = newPieceMemo();
parentPort.on('message', ({ id, texts }) => {
  const counts = texts.map((text) => countPieces(text, memo, slow));
  parentPort.postMessage({ id, counts });
});
`;

/**
 * The default number of counting workers: one per core beyond the first (the calling thread counts too), at
 * most three. Each worker holds its own copy of the tokenizer's rank table (about 5 MB) and piece counts.
 */
export function defaultWorkerCount(): number {
  return Math.max(0, Math.min(3, availableParallelism() - 1));
}

/**
 * Starts up to `workers` threads that count o200k tokens exactly, alongside the calling thread, once a count of
 * at least `workerBatchCharacters` characters (default 8M) makes them worth their start. Work is cut into chunks
 * that each thread pulls when idle, so all finish together; counts do not depend on which thread counted what.
 * With `workers: 0` counting runs on the calling thread alone.
 */
export function createTokenCountPool(options: {
  workers: number;
  workerBatchCharacters?: number;
}): TokenCountPool {
  const smallestWorkerBatch = options.workerBatchCharacters ?? workerBatchCharacters;
  if (options.workers <= 0) {
    return {
      count: async (texts, onCounted) => {
        await settledO200kRankTable();
        const counts = texts.map(countO200kTokens);
        onCounted?.(texts.length);
        return counts;
      },
      warmUp: warmUpO200kRankTable,
      close: async () => {},
    };
  }
  const ranksPath = o200kRankListPath();
  const workers: Worker[] = [];
  const pending = new Map<number, { resolve: (counts: number[]) => void; reject: (error: Error) => void }>();
  // A worker that fails or stops fails every count in flight: they would otherwise wait forever.
  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  // Threads start on the first count, so a pack that counts nothing (a warm repack) starts none.
  const start = (table: O200kRankTable | undefined) => {
    if (workers.length > 0) return;
    for (let index = 0; index < options.workers; index++) {
      // The table is copied to the worker when this thread has one: quicker than building it there.
      const worker = new Worker(workerSource(), { eval: true, workerData: { ranks: ranksPath, table } });
      worker.unref();
      worker.on('message', ({ id, counts }: { id: number; counts: number[] }) => {
        pending.get(id)?.resolve(counts);
        pending.delete(id);
      });
      worker.on('error', failAll);
      worker.on('exit', (code) => failAll(new Error(`a token counting worker stopped (exit code ${code})`)));
      workers.push(worker);
    }
  };
  let nextId = 0;
  const send = (worker: Worker, texts: string[]) =>
    new Promise<number[]>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, texts });
    }).finally(() => {
      if (pending.size === 0) for (const idle of workers) idle.unref();
    });
  return {
    async count(texts, onCounted) {
      const counts = new Array<number>(texts.length);
      if (texts.length === 0) return counts;
      const table = await settledO200kRankTable();
      // A worker pays for itself only on a large batch: it first starts and gets a rank table, and it learns
      // piece counts the calling thread already knows. Smaller batches stay on the calling thread.
      if (workers.length === 0 && texts.reduce((sum, text) => sum + text.length, 0) < smallestWorkerBatch) {
        const alone = texts.map(countO200kTokens);
        onCounted?.(texts.length);
        return alone;
      }
      start(table);
      const chunks: number[][] = [];
      let chunk: number[] = [];
      let chunkSize = 0;
      texts.forEach((text, index) => {
        chunk.push(index);
        chunkSize += text.length;
        if (chunkSize >= chunkCharacters) {
          chunks.push(chunk);
          chunk = [];
          chunkSize = 0;
        }
      });
      if (chunk.length > 0) chunks.push(chunk);
      let next = 0;
      const drain = async (worker: Worker) => {
        while (next < chunks.length) {
          const indexes = chunks[next++]!;
          const results = await send(
            worker,
            indexes.map((index) => texts[index]!),
          );
          indexes.forEach((index, position) => {
            counts[index] = results[position]!;
          });
          onCounted?.(indexes.length);
        }
      };
      const drainHere = async () => {
        while (next < chunks.length) {
          const indexes = chunks[next++]!;
          for (const index of indexes) counts[index] = countO200kTokens(texts[index]!);
          onCounted?.(indexes.length);
          // Let finished workers' results in, so they get their next chunk.
          await new Promise((resolve) => setImmediate(resolve));
        }
      };
      // Two chunks in flight per worker keep it busy while the calling thread counts a chunk of its own.
      await Promise.all([...workers.flatMap((worker) => [drain(worker), drain(worker)]), drainHere()]);
      return counts;
    },
    // Only the rank table: counting workers start on the first large count (with a copy of the table by then).
    warmUp: warmUpO200kRankTable,
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
