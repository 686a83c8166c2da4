import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Not named `require`: a transpiler may then rename it, and worker sources must not depend on module names.
const requireHere = createRequire(import.meta.url);

/**
 * o200k's byte-pair ranks as typed arrays: an open-addressing hash table over each token's bytes. Unlike a `Map`
 * it can be built on another thread and handed over without copying, and looked up by a range of a string
 * without cutting the range out.
 */
export interface O200kRankTable {
  /** Hash slots holding rank + 1 (0: empty); their number is a power of two. */
  slots: Int32Array;
  /** Where each rank's bytes start in `bytes`. */
  offsets: Int32Array;
  /** How many bytes each rank has (0 for ranks the vocabulary leaves unused). */
  lengths: Uint8Array;
  /** Every token's bytes, one after the other. */
  bytes: Uint8Array;
  /** The rank of each two-byte token at `first * 256 + second`; infinite where two bytes are no token. */
  pairs: Float64Array;
}

/**
 * Builds the rank table on the calling thread from gpt-tokenizer's `o200k_base.tiktoken` (about 0.1 s). That file
 * holds each token's bytes in base64 beside its rank, one per line; reading it is several times cheaper than
 * loading the package's rank list, a 2.4 MB JavaScript module that each thread compiled anew (0.24 s of CPU here).
 */
export function loadO200kRankTable(): O200kRankTable {
  return parseO200kRankTable(readFileSync(o200kRankListPath()));
}

/**
 * Builds the rank table on a worker thread, so the calling thread can list and read files meanwhile; the table's
 * arrays are transferred, not copied.
 */
export function loadO200kRankTableInBackground(): Promise<O200kRankTable> {
  const source = `
const { parentPort, workerData } = require('node:worker_threads');
${o200kPieceCounterSource()}
const table = ${o200kSourceNames.parseTable}(require('node:fs').readFileSync(workerData.ranks));
parentPort.postMessage(table, [table.slots.buffer, table.offsets.buffer, table.lengths.buffer, table.bytes.buffer, table.pairs.buffer]);
`;
  return new Promise<O200kRankTable>((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { ranks: o200kRankListPath() } });
    worker.once('message', (table: O200kRankTable) => {
      resolve(table);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the rank table worker stopped (exit code ${code})`)));
  });
}

/**
 * Where gpt-tokenizer's o200k ranks are (`o200k_base.tiktoken`), resolved here: an evaluated worker resolves
 * from the working directory.
 */
export function o200kRankListPath(): string {
  return requireHere.resolve('gpt-tokenizer/data/o200k_base.tiktoken');
}

/**
 * The source of a script defining `parseO200kRankTable(file)` and `countPieceTokens(piece, table)` (with what they
 * call), for worker threads (which cannot import this module when it runs from TypeScript sources). Each function
 * is written out by its own source, so a bundler's renaming cannot make the script call a name it lacks; a worker
 * names the entry points by their `.name`.
 */
export function o200kPieceCounterSource(): string {
  return [
    parseO200kRankTable,
    buildO200kRankTable,
    hashBytes,
    findRank,
    countPieceTokens,
    mergeByScanning,
    mergeWithHeap,
  ]
    .map(String)
    .join('\n');
}

/**
 * The names under which {@link o200kPieceCounterSource} defines its entry points: their own, which a bundler may
 * have changed.
 */
export const o200kSourceNames = {
  /** `(file: Uint8Array) => O200kRankTable`: the table from a `.tiktoken` file's bytes. */
  parseTable: parseO200kRankTable.name,
  /** `(piece: string, table: O200kRankTable) => number`. */
  countPiece: countPieceTokens.name,
};

/**
 * Builds the rank table from a `.tiktoken` rank file: lines of `<token bytes in base64> <rank>`. One pass over the
 * file's bytes, decoding base64 by hand: splitting the 3.5 MB into 200,000 strings and decoding each took most of a
 * quarter of a second. Worker threads run it from its source, so it uses nothing but globals.
 */
function parseO200kRankTable(file: Uint8Array): O200kRankTable {
  let lines = 0;
  for (let index = 0; index < file.length; index++) if (file[index] === 10) lines++;
  const capacity = lines + 1;
  let offsets = new Int32Array(capacity);
  let lengths = new Uint8Array(capacity);
  // Decoded tokens are shorter than their base64.
  const bytes = new Uint8Array(file.length);
  const sextet = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let index = 0; index < 64; index++) sextet[alphabet.charCodeAt(index)] = index;
  let count = 0;
  let written = 0;
  let position = 0;
  while (position < file.length) {
    const start = written;
    let bits = 0;
    let held = 0;
    while (position < file.length && file[position] !== 32 && file[position] !== 10) {
      const value = sextet[file[position++]!]!;
      if (value < 0) continue; // '=' padding
      bits = (bits << 6) | value;
      held += 6;
      if (held >= 8) {
        held -= 8;
        bytes[written++] = (bits >> held) & 0xff;
      }
    }
    let rank = -1;
    if (file[position] === 32) {
      rank = 0;
      position++;
      while (position < file.length && file[position]! >= 48 && file[position]! <= 57)
        rank = rank * 10 + file[position++]! - 48;
    }
    while (position < file.length && file[position] !== 10) position++;
    position++;
    if (rank < 0 || written === start) {
      written = start;
      continue;
    }
    if (rank >= offsets.length) {
      const grown = Math.max(rank + 1, offsets.length * 2);
      const moreOffsets = new Int32Array(grown);
      moreOffsets.set(offsets);
      offsets = moreOffsets;
      const moreLengths = new Uint8Array(grown);
      moreLengths.set(lengths);
      lengths = moreLengths;
    }
    offsets[rank] = start;
    lengths[rank] = written - start;
    count = Math.max(count, rank + 1);
  }
  return buildO200kRankTable({
    offsets: offsets.slice(0, count),
    lengths: lengths.slice(0, count),
    bytes: bytes.slice(0, written),
    count,
  });
}

/** Adds the hash slots and the two-byte ranks to each token's bytes by rank. */
function buildO200kRankTable(tokens: {
  offsets: Int32Array;
  lengths: Uint8Array;
  bytes: Uint8Array;
  count: number;
}): O200kRankTable {
  const { offsets, lengths, bytes, count } = tokens;
  let size = 1;
  while (size < count * 2) size *= 2;
  const slots = new Int32Array(size);
  const mask = size - 1;
  const pairs = new Float64Array(65_536).fill(Number.POSITIVE_INFINITY);
  for (let rank = 0; rank < count; rank++) {
    const length = lengths[rank]!;
    if (length === 0) continue;
    const offset = offsets[rank]!;
    if (length === 2) pairs[bytes[offset]! * 256 + bytes[offset + 1]!] = rank;
    let slot = hashBytes(bytes, offset, offset + length) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = rank + 1;
  }
  return { slots, offsets, lengths, bytes, pairs };
}

/** FNV-1a over a range of bytes, given as a byte array or as a Latin-1 string (one character per byte). */
function hashBytes(bytes: Uint8Array | string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  if (typeof bytes === 'string') {
    for (let index = start; index < end; index++)
      hash = Math.imul(hash ^ bytes.charCodeAt(index), 0x01000193);
  } else {
    for (let index = start; index < end; index++) hash = Math.imul(hash ^ bytes[index]!, 0x01000193);
  }
  return hash;
}

/** The rank of the token whose bytes are `bytes` (a Latin-1 string) from `start` to `end`, or -1 when none is. */
function findRank(table: O200kRankTable, bytes: string, start: number, end: number): number {
  const length = end - start;
  if (length === 2) {
    const rank = table.pairs[bytes.charCodeAt(start) * 256 + bytes.charCodeAt(start + 1)]!;
    return rank === Number.POSITIVE_INFINITY ? -1 : rank;
  }
  if (length > 255) return -1;
  const { slots, offsets, lengths } = table;
  const stored = table.bytes;
  const mask = slots.length - 1;
  let slot = hashBytes(bytes, start, end) & mask;
  for (;;) {
    const entry = slots[slot]!;
    if (entry === 0) return -1;
    const rank = entry - 1;
    if (lengths[rank] === length) {
      const offset = offsets[rank]!;
      let same = 0;
      while (same < length && stored[offset + same] === bytes.charCodeAt(start + same)) same++;
      if (same === length) return rank;
    }
    slot = (slot + 1) & mask;
  }
}

/**
 * Creates a counter of the tokens in one o200k piece (one match of the pre-tokenizer's expression), exactly as
 * tiktoken encodes it, from o200k's rank table (`table` is asked for it on the first piece). Faster than asking
 * gpt-tokenizer per piece: no expression or special-token search runs again on the piece, rank lookups need no
 * decoding or cutting, and long pieces (a line of emoji, a minified token) merge with a heap in n log n steps
 * instead of rescanning every pair after each merge.
 */
export function createO200kPieceCounter(table: () => O200kRankTable): { count(piece: string): number } {
  let loaded: O200kRankTable | undefined;
  return {
    count: (piece) => {
      loaded ??= table();
      return countPieceTokens(piece, loaded);
    },
  };
}

/** The number of o200k tokens in one piece. */
function countPieceTokens(piece: string, table: O200kRankTable): number {
  let bytes = piece;
  for (let index = 0; index < piece.length; index++) {
    if (piece.charCodeAt(index) > 127) {
      bytes = Buffer.from(piece, 'utf8').toString('latin1');
      break;
    }
  }
  if (bytes.length <= 1) return bytes.length;
  if (findRank(table, bytes, 0, bytes.length) >= 0) return 1;
  // Rescanning all pairs after each merge is quadratic but allocates little; a heap wins once pieces get long.
  return bytes.length <= 96 ? mergeByScanning(bytes, table) : mergeWithHeap(bytes, table);
}

/**
 * Byte-pair merging as tiktoken and gpt-tokenizer do it: repeatedly merge the adjacent pair of parts whose
 * joined bytes have the lowest rank (the leftmost on a tie) until no joined pair is a token; returns the parts.
 */
function mergeByScanning(bytes: string, table: O200kRankTable): number {
  const length = bytes.length;
  const none = Number.POSITIVE_INFINITY;
  // starts[k] is where part k begins; pairs[k] is the rank of parts k and k + 1 joined.
  const starts = new Int32Array(length + 1);
  const pairs = new Float64Array(length);
  for (let index = 0; index <= length; index++) starts[index] = index;
  for (let index = 0; index < length - 1; index++)
    pairs[index] = table.pairs[bytes.charCodeAt(index) * 256 + bytes.charCodeAt(index + 1)]!;
  const rankOf = (start: number, end: number) => {
    const rank = findRank(table, bytes, start, end);
    return rank < 0 ? none : rank;
  };
  let parts = length;
  while (parts > 1) {
    let lowest = none;
    let at = -1;
    for (let pair = 0; pair < parts - 1; pair++) {
      if (pairs[pair]! < lowest) {
        lowest = pairs[pair]!;
        at = pair;
      }
    }
    if (at < 0) break;
    starts.copyWithin(at + 1, at + 2, parts + 1);
    pairs.copyWithin(at + 1, at + 2, parts - 1);
    parts--;
    pairs[at] = at + 1 < parts ? rankOf(starts[at]!, starts[at + 2]!) : none;
    if (at > 0) pairs[at - 1] = rankOf(starts[at - 1]!, starts[at + 1]!);
  }
  return parts;
}

/** The same merging with the pairs in a binary heap ordered by rank, then position; returns the parts. */
function mergeWithHeap(bytes: string, table: O200kRankTable): number {
  const length = bytes.length;
  // A heap entry is rank × 2²⁶ + start: ordering by it is ordering by rank, then leftmost. Pieces are cut far
  // below 2²⁶ bytes (files are capped in size) and ranks are below 2²⁷, so entries stay exact doubles.
  const shift = 67_108_864;
  const next = new Int32Array(length);
  const previous = new Int32Array(length);
  // The current rank of the pair starting at each live part (-1 for none); a heap entry whose rank differs is stale.
  const pairRank = new Float64Array(length);
  const heap: number[] = [];
  const push = (entry: number) => {
    let index = heap.push(entry) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]! <= entry) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    const size = heap.length;
    if (size > 0) {
      let index = 0;
      for (;;) {
        let child = 2 * index + 1;
        if (child >= size) break;
        if (child + 1 < size && heap[child + 1]! < heap[child]!) child++;
        if (heap[child]! >= last) break;
        heap[index] = heap[child]!;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  };
  const rankFrom = (start: number) => {
    const second = next[start]!;
    if (second >= length) return -1;
    return findRank(table, bytes, start, next[second]!);
  };
  const update = (start: number) => {
    const rank = rankFrom(start);
    pairRank[start] = rank;
    if (rank >= 0) push(rank * shift + start);
  };
  for (let index = 0; index < length; index++) {
    next[index] = index + 1;
    previous[index] = index - 1;
  }
  for (let index = 0; index < length; index++) update(index);
  let parts = length;
  while (heap.length > 0) {
    const entry = pop();
    const rank = Math.floor(entry / shift);
    const start = entry - rank * shift;
    if (pairRank[start] !== rank) continue;
    const merged = next[start]!;
    next[start] = next[merged]!;
    if (next[merged]! < length) previous[next[merged]!] = start;
    pairRank[merged] = -1;
    parts--;
    update(start);
    if (previous[start]! >= 0) update(previous[start]!);
  }
  return parts;
}
