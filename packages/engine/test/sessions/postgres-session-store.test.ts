import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@herd/core';
import { postgresTestUrl } from '@herd/test-support';
import { Command } from '@langchain/langgraph';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../src/sessions/create-session-store.js';
import type { SessionStore } from '../../src/sessions/session-store.js';
import { runChildUntilKilled } from './fixtures/run-child-until-killed.js';
import { createThreeStepGraph } from './fixtures/three-step-graph.js';

// Throws on CI when HERD_TEST_POSTGRES_URL is unset, so CI cannot silently lose these tests.
const postgres = postgresTestUrl();
const title = `createSessionStore on a real PostgreSQL server${postgres.skipReason ? ` (skipped: ${postgres.skipReason})` : ''}`;

/** The test server's URL with a password added: trust authentication ignores it, so it must never show up anywhere. */
function urlWithPassword(): string {
  const url = new URL(postgres.url ?? '');
  url.username ||= 'postgres';
  url.password = 'hunter2';
  return url.toString();
}

const workspaces: string[] = [];
const stores: SessionStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const directory of workspaces.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function workspace(): string {
  const directory = mkdtempSync(join(tmpdir(), 'herd-postgres-sessions-'));
  workspaces.push(directory);
  return directory;
}

async function open(directory: string): Promise<SessionStore> {
  const store = await createSessionStore({ workspace: directory, database: urlWithPassword() });
  stores.push(store);
  return store;
}

describe.skipIf(postgres.url === undefined)(title, () => {
  it('names the database by its URL without the password', async () => {
    const store = await open(workspace());

    expect(store.kind).toBe('postgres');
    expect(store.location).toContain(':***@');
    expect(store.location).not.toContain('hunter2');
  });

  it("keeps a graph's final state, history and session record for a new store instance", async () => {
    const directory = workspace();
    const visitsFile = join(directory, 'visits.log');
    const first = await open(directory);
    const session = await first.record({ id: randomUUID(), task: 'three steps' });
    await createThreeStepGraph({ checkpointer: first.checkpointer, visitsFile }).invoke(
      { task: 'three steps' },
      { ...first.threadConfig(session.id), durability: 'sync' },
    );
    await first.update({ id: session.id, status: 'completed', lastCompletedStep: 'three' });
    await first.close();

    const second = await open(directory);
    const graph = createThreeStepGraph({ checkpointer: second.checkpointer, visitsFile });
    const state = await graph.getState(second.threadConfig(session.id));
    expect(state.values).toEqual({ task: 'three steps', log: ['one', 'two', 'three'] });
    expect(state.next).toEqual([]);
    const history = [];
    for await (const snapshot of graph.getStateHistory(second.threadConfig(session.id)))
      history.push(snapshot);
    expect(history.map((snapshot) => snapshot.values.log)).toEqual([
      ['one', 'two', 'three'],
      ['one', 'two'],
      ['one'],
      [],
      [],
    ]);
    expect(await second.list({ workspace: directory })).toEqual([
      expect.objectContaining({ id: session.id, status: 'completed', lastCompletedStep: 'three' }),
    ]);
  });

  it('lists the sessions of a workspace most recently updated first, filtered by status', async () => {
    const directory = workspace();
    const store = await open(directory);
    const [older, newer] = [randomUUID(), randomUUID()];
    await store.record({ id: older, task: 'a' });
    await store.record({ id: newer, task: 'b' });
    await store.update({ id: older, status: 'awaiting_approval' });

    expect((await store.list({ workspace: directory })).map((session) => session.id)).toEqual([older, newer]);
    expect(
      (await store.list({ workspace: directory, statuses: ['running'] })).map((session) => session.id),
    ).toEqual([newer]);
    expect(await store.get(randomUUID())).toBeUndefined();
  });

  it('keeps a pending interrupt for a new store instance, and a resume command continues it', async () => {
    const directory = workspace();
    const visitsFile = join(directory, 'visits.log');
    const sessionId = randomUUID();
    const first = await open(directory);
    const interrupted = await createThreeStepGraph({
      checkpointer: first.checkpointer,
      visitsFile,
      two: 'interrupt',
    }).invoke({ task: 'three steps' }, { ...first.threadConfig(sessionId), durability: 'sync' });
    expect(interrupted).toHaveProperty('__interrupt__');
    await first.close();

    const second = await open(directory);
    const graph = createThreeStepGraph({ checkpointer: second.checkpointer, visitsFile, two: 'interrupt' });
    const pending = await graph.getState(second.threadConfig(sessionId));
    expect(pending.tasks.flatMap((task) => task.interrupts.map((entry) => entry.value))).toEqual([
      { question: 'Apply step two?' },
    ]);
    const result = await graph.invoke(new Command({ resume: 'approved' }), second.threadConfig(sessionId));
    expect(result.log).toEqual(['one', 'two:approved', 'three']);
  });

  it('resumes a run killed with SIGKILL after the last completed node, redoing nothing', async () => {
    const directory = workspace();
    const sessionId = randomUUID();
    const childPid = await runChildUntilKilled({
      workspace: directory,
      sessionId,
      mode: 'block',
      database: urlWithPassword(),
    });

    const store = await open(directory);
    const visitsFile = join(directory, 'visits.log');
    const result = await createThreeStepGraph({ checkpointer: store.checkpointer, visitsFile }).invoke(null, {
      ...store.threadConfig(sessionId),
      durability: 'sync',
    });

    expect(result.log).toEqual(['one', 'two', 'three']);
    expect(readFileSync(visitsFile, 'utf8').trim().split('\n')).toEqual([
      `one ${childPid}`,
      `two ${childPid}`,
      `two ${process.pid}`,
      `three ${process.pid}`,
    ]);
  });

  it('sets up the tables once when several stores open at the same time', async () => {
    const directory = workspace();
    const opened = await Promise.all([open(directory), open(directory), open(directory)]);

    expect(opened.map((store) => store.kind)).toEqual(['postgres', 'postgres', 'postgres']);
  });

  it('reports a database that does not exist on the server, naming it and how to create it', async () => {
    const url = new URL(urlWithPassword());
    url.pathname = '/herd_no_such_database';

    const error = await createSessionStore({ workspace: workspace(), database: url.toString() }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'session_database_rejected' });
    expect((error as Error).message).toContain('createdb');
    expect((error as Error).message).not.toContain('hunter2');
  });
});
