import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from '@langchain/langgraph';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../src/sessions/create-session-store.js';
import type { SessionStore } from '../../src/sessions/session-store.js';
import { createThreeStepGraph } from './fixtures/three-step-graph.js';

const engineRoot = fileURLToPath(new URL('../..', import.meta.url));
const childScript = fileURLToPath(new URL('./fixtures/run-three-step-graph.ts', import.meta.url));
// Lets the child, run by tsx outside vitest, import @herd/core from its sources like the tests do.
const childTsconfig = fileURLToPath(new URL('./fixtures/child-tsconfig.json', import.meta.url));

const workspaces: string[] = [];
const stores: SessionStore[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const store of stores.splice(0)) await store.close();
  for (const directory of workspaces.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/**
 * Runs the three-step graph in a child process on the workspace's session store, waits until the child prints
 * `marker` (it is then blocked inside node two, or waiting on a pending interrupt), and kills it with SIGKILL.
 */
async function runChildUntilKilled(options: {
  workspace: string;
  sessionId: string;
  mode: 'block' | 'interrupt';
}) {
  const marker = options.mode === 'block' ? 'blocked' : 'interrupted';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', childScript, options.workspace, options.sessionId, options.mode],
    {
      cwd: engineRoot,
      env: { ...process.env, TSX_TSCONFIG_PATH: childTsconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes(`${marker}\n`)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code} before '${marker}': ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

function visits(workspace: string): string[] {
  return readFileSync(join(workspace, 'visits.log'), 'utf8').trim().split('\n');
}

describe('sessions after SIGKILL', () => {
  it('leave a consistent file and resume the run after the last completed node, redoing nothing', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'herd-crash-'));
    workspaces.push(workspace);
    await runChildUntilKilled({ workspace, sessionId: 'killed-in-two', mode: 'block' });
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
    const lines = visits(workspace);
    const childPid = lines[0]?.split(' ')[1];
    expect(childPid).not.toBe(String(process.pid));
    expect(lines).toEqual([
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
