import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@herd/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../src/sessions/create-session-store.js';
import { findResumableSession } from '../../src/sessions/find-resumable-session.js';
import type { SessionStore } from '../../src/sessions/session-store.js';

let workspace: string;
let store: SessionStore;

beforeEach(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'herd-resume-'));
  store = await createSessionStore({ workspace });
});

afterEach(async () => {
  await store.close();
  rmSync(workspace, { recursive: true, force: true });
});

describe('findResumableSession', () => {
  it('picks the most recently updated session that is running or awaiting approval', async () => {
    await store.record({ id: 'killed', task: 'a' });
    await store.record({ id: 'waiting', task: 'b', status: 'awaiting_approval' });
    await store.record({ id: 'done', task: 'c', status: 'completed' });

    expect(await findResumableSession({ store })).toMatchObject({ id: 'waiting' });
  });

  it('returns the named session when it can be resumed', async () => {
    await store.record({ id: 'killed', task: 'a' });
    await store.record({ id: 'waiting', task: 'b', status: 'awaiting_approval' });

    expect(await findResumableSession({ store, id: 'killed' })).toMatchObject({
      id: 'killed',
      status: 'running',
    });
  });

  it('refuses a named session that has finished, saying its status', async () => {
    await store.record({ id: 'done', task: 'c', status: 'completed' });

    const error = await findResumableSession({ store, id: 'done' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'session_not_resumable' });
    expect((error as Error).message).toContain("Session 'done' is completed");
  });

  it('refuses a session id that was never recorded', async () => {
    const error = await findResumableSession({ store, id: 'ghost' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'session_not_found' });
  });

  it('says so when no session can be resumed', async () => {
    await store.record({ id: 'done', task: 'c', status: 'failed' });

    const error = await findResumableSession({ store }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'session_not_resumable' });
  });
});
