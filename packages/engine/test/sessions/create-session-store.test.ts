import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HerdError, SystemError, UserError } from '@herd/core';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../src/sessions/create-session-store.js';
import type { SessionStore } from '../../src/sessions/session-store.js';
import { createThreeStepGraph } from './fixtures/three-step-graph.js';

const workspaces: string[] = [];
const stores: SessionStore[] = [];

function workspace(): string {
  const directory = mkdtempSync(join(tmpdir(), 'herd-sessions-'));
  workspaces.push(directory);
  return directory;
}

async function open(directory: string): Promise<SessionStore> {
  const store = await createSessionStore({ workspace: directory });
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const directory of workspaces.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('createSessionStore on SQLite', () => {
  it('stores sessions in a WAL-mode SQLite file at .herd/sessions.db in the workspace', async () => {
    const directory = workspace();
    const store = await open(directory);
    await store.record({ task: 'fix the build' });

    expect(store.kind).toBe('sqlite');
    expect(store.location).toBe(join(directory, '.herd', 'sessions.db'));
    const database = new Database(store.location, { readonly: true });
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    database.close();
  });

  it("keeps a graph's final state and checkpoint history for a new store instance", async () => {
    const directory = workspace();
    const visitsFile = join(directory, 'visits.log');
    const first = await open(directory);
    const session = await first.record({ task: 'three steps' });
    await createThreeStepGraph({ checkpointer: first.checkpointer, visitsFile }).invoke(
      { task: 'three steps' },
      first.threadConfig(session.id),
    );
    await first.close();

    const second = await open(directory);
    const graph = createThreeStepGraph({ checkpointer: second.checkpointer, visitsFile });
    const state = await graph.getState(second.threadConfig(session.id));
    expect(state.values).toEqual({ task: 'three steps', log: ['one', 'two', 'three'] });
    expect(state.next).toEqual([]);
    const history = [];
    for await (const snapshot of graph.getStateHistory(second.threadConfig(session.id)))
      history.push(snapshot);
    // Newest first: after three, after two, after one, the input, and the empty start.
    expect(history.map((snapshot) => snapshot.values.log)).toEqual([
      ['one', 'two', 'three'],
      ['one', 'two'],
      ['one'],
      [],
      [],
    ]);
  });

  it('records a session as running with a random id, the workspace and matching timestamps', async () => {
    const directory = workspace();
    const store = await open(directory);
    const session = await store.record({ task: 'add a --json flag' });

    expect(session).toMatchObject({
      task: 'add a --json flag',
      status: 'running',
      workspace: directory,
      planId: null,
      lastCompletedStep: null,
    });
    expect(session.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(session.updatedAt).toBe(session.createdAt);
    expect(await store.get(session.id)).toEqual(session);
  });

  it('updates only the given fields and stamps a later update time', async () => {
    const store = await open(workspace());
    const session = await store.record({ id: 'run-1', task: 'add a --json flag', planId: 'plan-1' });
    const updated = await store.update({ id: 'run-1', lastCompletedStep: 'step-2' });

    expect(updated).toMatchObject({
      id: 'run-1',
      status: 'running',
      planId: 'plan-1',
      lastCompletedStep: 'step-2',
    });
    expect(updated.createdAt).toBe(session.createdAt);
    expect(updated.updatedAt > session.updatedAt).toBe(true);
  });

  it('lists sessions most recently updated first, filtered by status and limited', async () => {
    const store = await open(workspace());
    await store.record({ id: 'old', task: 'a' });
    await store.record({ id: 'middle', task: 'b' });
    await store.record({ id: 'new', task: 'c' });
    await store.update({ id: 'old', status: 'awaiting_approval' });
    await store.update({ id: 'middle', status: 'completed' });

    expect((await store.list()).map((session) => session.id)).toEqual(['middle', 'old', 'new']);
    expect(
      (await store.list({ statuses: ['running', 'awaiting_approval'] })).map((session) => session.id),
    ).toEqual(['old', 'new']);
    expect((await store.list({ limit: 1 })).map((session) => session.id)).toEqual(['middle']);
  });

  it('keeps session records for a new store instance', async () => {
    const directory = workspace();
    const first = await open(directory);
    const session = await first.record({ task: 'rename a module', status: 'awaiting_approval' });
    await first.close();

    const second = await open(directory);
    expect(await second.list()).toEqual([session]);
  });

  it('refuses to record a session id twice', async () => {
    const store = await open(workspace());
    await store.record({ id: 'run-1', task: 'a' });

    const error = await store.record({ id: 'run-1', task: 'b' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'session_exists' });
    expect((error as Error).message).toContain("'run-1'");
  });

  it('refuses to update a session that was never recorded', async () => {
    const store = await open(workspace());

    const error = await store.update({ id: 'ghost', status: 'failed' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'session_not_found' });
    expect((error as Error).message).toContain("'ghost'");
  });

  it('deletes a session together with its checkpoints', async () => {
    const directory = workspace();
    const store = await open(directory);
    const session = await store.record({ task: 'three steps' });
    await createThreeStepGraph({
      checkpointer: store.checkpointer,
      visitsFile: join(directory, 'visits.log'),
    }).invoke({ task: 'three steps' }, store.threadConfig(session.id));

    expect(await store.delete(session.id)).toBe(true);
    expect(await store.get(session.id)).toBeUndefined();
    expect(await store.checkpointer.getTuple(store.threadConfig(session.id))).toBeUndefined();
    expect(await store.delete(session.id)).toBe(false);
  });

  it('reports a session database that cannot be created, naming the file', async () => {
    const directory = workspace();
    writeFileSync(join(directory, '.herd'), 'a file where the folder should be');

    const error = await createSessionStore({ workspace: directory }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SystemError);
    expect(error).toMatchObject({ code: 'session_database_unavailable' });
    expect((error as Error).message).toContain(join(directory, '.herd', 'sessions.db'));
  });
});

describe('createSessionStore database option', () => {
  it('rejects a connection string that is not PostgreSQL, naming it without its password and the accepted forms', async () => {
    const error = await createSessionStore({
      workspace: workspace(),
      database: 'mysql://herd:hunter2@db.example:3306/herd',
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'session_database_invalid' });
    const { message } = error as Error;
    expect(message).toContain("'mysql://herd:***@db.example:3306/herd'");
    expect(message).toContain('postgres://');
    expect(message).toContain('postgresql://');
    expect(message).not.toContain('hunter2');
  });

  it('reports an unreachable PostgreSQL server with its host and port and how to fix it, never the password', async () => {
    const port = await closedPort();
    const error = await createSessionStore({
      workspace: workspace(),
      database: `postgresql://herd:hunter2@127.0.0.1:${port}/herd`,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SystemError);
    expect(error).toMatchObject({ code: 'session_database_unreachable' });
    const { message } = error as Error;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toMatch(/start PostgreSQL/);
    expect(JSON.stringify((error as HerdError).toJSON())).not.toContain('hunter2');
    expect(String((error as Error).cause)).not.toContain('hunter2');
  });
});
