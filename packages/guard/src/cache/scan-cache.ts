import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { ScannerFinding } from '../scanners/scanner.js';

/** Scanner findings by content hash: an in-memory LRU in front of an optional on-disk store. */
export interface ScanCache {
  /** The finding stored under a key, or undefined. */
  get(key: string): Promise<ScannerFinding | undefined>;
  /** Stores a finding. */
  set(key: string, finding: ScannerFinding): Promise<void>;
}

/** Options for {@link createScanCache}. */
export interface ScanCacheOptions {
  /** Folder of the on-disk store (one small JSON file per finding); omitted means memory only. */
  directory?: string;
  /**
   * Names the on-disk files: each is named by an HMAC of its key under this secret (the user's, from
   * `localCacheSecret`), so a finding someone else wrote into the folder (committed to the repository, shipped in
   * an archive) is never served. Keys are SHA-256 of the content, which anyone can compute. Required with
   * `directory`.
   */
  secret?: Uint8Array;
  /** Findings kept in memory; defaults to 10,000. */
  maxEntries?: number;
}

const FindingSchema = z.object({
  score: z.number(),
  categories: z.array(z.string()),
  spans: z.array(z.object({ start: z.number(), end: z.number(), label: z.string() })),
  reason: z.string().optional(),
});

/**
 * Caches findings (not actions: the policy is applied afresh on every scan, so a policy change never serves a stale
 * decision). Keys come from {@link scanCacheKey}: the scanner's fingerprint and the content's SHA-256.
 */
export function createScanCache(options: ScanCacheOptions = {}): ScanCache {
  const { directory, secret, maxEntries = 10_000 } = options;
  if (directory !== undefined && secret === undefined) {
    throw new TypeError(
      'createScanCache: a directory needs a secret to name its files (see localCacheSecret).',
    );
  }
  const memory = new LRUCache<string, ScannerFinding>({ max: maxEntries });
  const fileFor = (key: string) => {
    const name = createHmac('sha256', secret as Uint8Array)
      .update(key)
      .digest('hex');
    return join(directory as string, name.slice(0, 2), `${name}.json`);
  };
  return {
    async get(key) {
      const remembered = memory.get(key);
      if (remembered || !directory) return remembered;
      const file = fileFor(key);
      if (!existsSync(file)) return undefined;
      try {
        const finding = FindingSchema.parse(JSON.parse(await readFile(file, 'utf8')));
        memory.set(key, finding);
        return finding;
      } catch {
        // A torn or foreign file is a miss; the scan runs again and rewrites it.
        return undefined;
      }
    },
    async set(key, finding) {
      memory.set(key, finding);
      if (!directory) return;
      const file = fileFor(key);
      await mkdir(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(temporary, JSON.stringify(finding));
      await rename(temporary, file);
    },
  };
}

/** The cache key of a scanner's finding on some content: SHA-256 over the fingerprint and the content. */
export function scanCacheKey(options: {
  fingerprint: string;
  text: string;
  userTurn?: string;
  images?: readonly string[];
}): string {
  const hash = createHash('sha256').update(options.fingerprint).update('\0').update(options.text);
  if (options.userTurn !== undefined) hash.update('\0user\0').update(options.userTurn);
  for (const image of options.images ?? []) hash.update('\0image\0').update(image);
  return hash.digest('hex');
}

/** SHA-256 of a text, hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
