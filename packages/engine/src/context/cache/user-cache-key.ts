import { createHmac } from 'node:crypto';
import { localCacheSecret } from '@herd/core';

/**
 * The key a pack cache or kept result is stored under: an HMAC of what it depends on (`description`) under the
 * user's own secret (see `localCacheSecret`). Caches live in the workspace's `.herd`, which a repository can ship
 * (committed, or in an archive that keeps modification times, such as the tarball of a git tag): a cache keyed by
 * something anyone can compute would let it say what a file holds and that the guard found it clean. One made by
 * another user's Herd, or by hand, is simply not found.
 */
export function userCacheKey(description: string): string {
  return createHmac('sha256', localCacheSecret()).update(description).digest('hex');
}
