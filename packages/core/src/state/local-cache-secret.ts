import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Herd's state folder for this user: `$XDG_STATE_HOME/herd`, by default `~/.local/state/herd`. It lies outside every
 * workspace, and the sandbox hides home directories, so neither a repository nor a model can write there.
 */
export function herdStateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(resolve(state), 'herd');
}

// One per process when the state folder cannot hold one: caches then serve only what this process wrote.
let processSecret: Buffer | undefined;

/**
 * A secret of this user's, kept in Herd's state folder (`cache-secret`, made on first use, readable by the user
 * alone), that keys what Herd caches inside a workspace. A cache in `.herd` is a file like any other in the
 * repository: one committed there, or shipped in an archive, must not be able to say that content was scanned and
 * found clean, or what a file holds. Entries named or signed with this secret can only come from this user's own
 * Herd. `HERD_CACHE_SECRET` in the environment takes its place (for a CI runner that keeps `.herd` between runs but
 * not its home folder); when the folder cannot be written, a secret for this process alone is used.
 */
export function localCacheSecret(env: NodeJS.ProcessEnv = process.env): Buffer {
  // Where the home folder does not last (a CI runner) but `.herd` is kept between runs, the secret comes from the
  // environment (a CI secret): caches written under another value are then never served.
  const given = env.HERD_CACHE_SECRET;
  if (given) return createHash('sha256').update(`herd cache secret\0${given}`).digest();
  const file = join(herdStateDirectory(env), 'cache-secret');
  const read = () => {
    const text = readFileSync(file, 'utf8').trim();
    return /^[0-9a-f]{64}$/.test(text) ? Buffer.from(text, 'hex') : undefined;
  };
  try {
    const existing = read();
    if (existing) return existing;
  } catch {
    // Not made yet.
  }
  try {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    // Made only where nothing is: two processes starting at once both end up with the one that was written first.
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  } catch {
    // Made meanwhile by another process, or the folder cannot be written: read what is there, if anything.
  }
  try {
    const made = read();
    if (made) return made;
  } catch {
    // Unreadable: fall through to the process's own.
  }
  processSecret ??= randomBytes(32);
  return processSecret;
}
