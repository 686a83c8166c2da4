import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { herdStateDirectory, localCacheSecret } from '../../src/state/local-cache-secret.js';

describe('localCacheSecret', () => {
  it('is made once in the user state folder, readable by the user alone, and the same on every later call', () => {
    const state = mkdtempSync(join(tmpdir(), 'herd-state-'));
    const env = { XDG_STATE_HOME: state };
    const first = localCacheSecret(env);
    expect(first).toHaveLength(32);
    const file = join(herdStateDirectory(env), 'cache-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(localCacheSecret(env).equals(first)).toBe(true);
    // Another user (another state folder) has another secret.
    expect(
      localCacheSecret({ XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'herd-state-')) }).equals(first),
    ).toBe(false);
  });

  it('takes HERD_CACHE_SECRET from the environment in place of the file, and writes nothing', () => {
    const state = mkdtempSync(join(tmpdir(), 'herd-state-'));
    const given = localCacheSecret({ XDG_STATE_HOME: state, HERD_CACHE_SECRET: 'ci-secret-value' });
    expect(given).toHaveLength(32);
    expect(localCacheSecret({ HERD_CACHE_SECRET: 'ci-secret-value' }).equals(given)).toBe(true);
    expect(localCacheSecret({ HERD_CACHE_SECRET: 'another value' }).equals(given)).toBe(false);
    expect(existsSync(join(state, 'herd', 'cache-secret'))).toBe(false);
  });

  it('replaces nothing it cannot read as a secret, and uses one for this process instead', () => {
    const state = mkdtempSync(join(tmpdir(), 'herd-state-'));
    mkdirSync(join(state, 'herd'));
    writeFileSync(join(state, 'herd', 'cache-secret'), 'not a secret\n');
    const fallback = localCacheSecret({ XDG_STATE_HOME: state });
    expect(fallback).toHaveLength(32);
    expect(readFileSync(join(state, 'herd', 'cache-secret'), 'utf8')).toBe('not a secret\n');
    // The same one for the rest of this process.
    expect(localCacheSecret({ XDG_STATE_HOME: state }).equals(fallback)).toBe(true);
  });
});
