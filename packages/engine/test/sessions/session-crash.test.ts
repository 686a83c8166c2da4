import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@langchain/langgraph';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../src/sessions/create-session-store.js';
import type { SessionStore } from '../../src/sessions/session-store.js';
import { runChildUntilKilled } from './fixtures/run-child-until-killed.js';
import { createThreeStepGraph } from './fixtures/three-step-graph.js';

const workspaces: string[] = [];
const stores: SessionStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const directory of workspaces.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function visits(workspace: string): string[] {
  return readFileSync(join(workspace, 'visits.log'), 'utf8').trim().split('\n');
}

describe('sessions after SIGKILL', () => {
  it('leave a consistent file and resume the run after the last completed node, redoing nothing', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'herd-crash-'));
    workspaces.push(workspace);
    const childPid = await runChildUntilKilled({ workspace, sessionId: 'killed-in-two', mode: 'block' });
    const file = new Database(join(workspace, '.herd', 'sessions.db'));
    expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
    file.close();

    const store = await createSessionStore({ workspace });
    stores.push(store);
    const graph = createThreeStepGraph({
      checkpointer: store.checkpointer,
      visitsFile: join(workspace, 'visits.log'),
    });
    const config = store.threadConfig('killed-in-two');
    const before = await graph.getState(config);
    expect(before.values.log).toEqual(['one']);
    expect(before.next).toEqual(['two']);

    const result = await graph.invoke(null, { ...config, durability: 'sync' });

    expect(result.log).toEqual(['one', 'two', 'three']);
    expect(visits(workspace)).toEqual([
      `one ${childPid}`,
      `two ${childPid}`,
      `two ${process.pid}`,
      `three ${process.pid}`,
    ]);
    expect(await store.get('killed-in-two')).toMatchObject({ task: 'three steps', status: 'running' });
  });

  it('keep a pending interrupt pending, and a resume command continues it', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'herd-crash-'));
    workspaces.push(workspace);
    await runChildUntilKilled({ workspace, sessionId: 'awaiting-two', mode: 'interrupt' });

    const store = await createSessionStore({ workspace });
    stores.push(store);
    expect(await store.get('awaiting-two')).toMatchObject({
      status: 'awaiting_approval',
      lastCompletedStep: 'one',
    });
    const graph = createThreeStepGraph({
      checkpointer: store.checkpointer,
      visitsFile: join(workspace, 'visits.log'),
      two: 'interrupt',
    });
    const config = store.threadConfig('awaiting-two');
    const pending = await graph.getState(config);
    expect(pending.next).toEqual(['two']);
    expect(pending.tasks.flatMap((task) => task.interrupts.map((entry) => entry.value))).toEqual([
      { question: 'Apply step two?' },
    ]);

    const result = await graph.invoke(new Command({ resume: 'approved' }), { ...config, durability: 'sync' });

    expect(result.log).toEqual(['one', 'two:approved', 'three']);
    // Node two runs again from its start when resumed (LangGraph replays a node up to its interrupt); node one never does.
    expect(visits(workspace).map((line) => line.split(' ')[0])).toEqual(['one', 'two', 'two', 'three']);
    expect((await graph.getState(config)).next).toEqual([]);
  });
});
