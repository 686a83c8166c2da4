import { readFile } from 'node:fs/promises';

// Index file layout (git's Documentation/gitformat-index.txt), versions 2 and 3: a 12-byte header, the entries
// (62 bytes of stat data, object id and flags, 2 more for version 3's extended flags, then the path, padded with
// NULs to a multiple of 8 bytes), the extensions (signature, 32-bit size, data), and a 20-byte checksum.
const headerBytes = 12;
const entryFixedBytes = 62;
const checksumBytes = 20;
const objectIdBytes = 20;

/**
 * The tree git last wrote for an index, from the index's cache-tree extension (`TREE`), as long as no entry
 * changed since: what `git write-tree` would print, read without starting git. `git add` invalidates the cached
 * tree of every path it touches, and of all folders above it up to the root, so a valid root is the tree of the
 * index as it is. Undefined for anything else (no cached tree, an invalid root, index version 4, a SHA-256
 * repository, a file it cannot read): run `git write-tree` then.
 */
export async function readCachedTree(indexFile: string): Promise<string | undefined> {
  const data = await readFile(indexFile).catch(() => undefined);
  if (!data || data.length < headerBytes + checksumBytes || data.toString('latin1', 0, 4) !== 'DIRC') {
    return undefined;
  }
  const version = data.readUInt32BE(4);
  if (version !== 2 && version !== 3) return undefined;
  const end = data.length - checksumBytes;
  let offset = headerBytes;
  for (let entry = data.readUInt32BE(8); entry > 0; entry--) {
    if (offset + entryFixedBytes > end) return undefined;
    const flags = data.readUInt16BE(offset + entryFixedBytes - 2);
    const extended = (flags & 0x4000) !== 0;
    if (extended && version === 2) return undefined;
    const name = offset + entryFixedBytes + (extended ? 2 : 0);
    let nameLength = flags & 0x0fff;
    // A path of 4095 bytes or more is only NUL-terminated.
    if (nameLength === 0x0fff) nameLength = data.indexOf(0, name) - name;
    if (nameLength < 0) return undefined;
    offset += (name - offset + nameLength + 8) & ~7;
  }
  while (offset + 8 <= end) {
    const signature = data.toString('latin1', offset, offset + 4);
    const size = data.readUInt32BE(offset + 4);
    const body = offset + 8;
    if (body + size > end) return undefined;
    if (signature === 'TREE') return rootOf(data.subarray(body, body + size));
    offset = body + size;
  }
  return undefined;
}

/** The root of a `TREE` extension: an empty path, NUL, `<entries> <subtrees>\n`, the tree id when entries ≥ 0. */
function rootOf(tree: Buffer): string | undefined {
  if (tree[0] !== 0) return undefined;
  const newline = tree.indexOf(0x0a, 1);
  if (newline === -1) return undefined;
  const counts = /^(-?\d+) \d+$/.exec(tree.toString('latin1', 1, newline));
  if (!counts || Number(counts[1]) < 0 || newline + 1 + objectIdBytes > tree.length) return undefined;
  return tree.toString('hex', newline + 1, newline + 1 + objectIdBytes);
}
