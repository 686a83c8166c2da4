import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecretsRedactor } from '@herd/guard/secrets';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../src/sessions/create-session-store.js';

const key = 'sk-herd-canary-session-0123456789abcdef';
const redactor = createSecretsRedactor({ env: { TOGETHER_API_KEY: key } });
const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const EchoState = Annotation.Root({
  task: Annotation<string>(),
  reply: Annotation<string>(),
});

/** Every byte the SQLite database keeps on disk: the main file, its write-ahead log and shared memory. */
function databaseBytes(path: string): string {
  return ['', '-wal', '-shm']
    .filter((suffix) => existsSync(path + suffix))
    .map((suffix) => readFileSync(path + suffix).toString('latin1'))
    .join('\n');
}

describe('session store secrets', () => {
  it('writes no key to the SQLite file: not in the task, the state, the metadata or a failed node’s error', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'herd-session-secrets-'));
    directories.push(workspace);
    const store = await createSessionStore({ workspace, redactor });
    const session = await store.record({ task: `use the key ${key} to call the API` });
    const graph = new StateGraph(EchoState)
      // A model that echoes the key it was shown (or a proxy echoing the request).
      .addNode('echo', () => ({ reply: `The key is ${key}.` }))
      // A provider answering 401 with the key in its body: LangGraph keeps the error as a pending write.
      .addNode('fail', () => {
        throw new Error(`401 Incorrect API key provided: ${key}. You can find your API key at ...`);
      })
      .addEdge(START, 'echo')
      .addEdge('echo', 'fail')
      .addEdge('fail', END)
      .compile({ checkpointer: store.checkpointer });

    await expect(graph.invoke({ task: 'echo' }, store.threadConfig(session.id))).rejects.toThrow('401');

    const state = await graph.getState(store.threadConfig(session.id));
    expect(state.values.reply).toBe('The key is [redacted:TOGETHER_API_KEY].');
    expect((await store.get(session.id))?.task).toBe(
      'use the key [redacted:TOGETHER_API_KEY] to call the API',
    );
    const errors = state.tasks.flatMap((task) => (task.error ? [String((task.error as Error).message)] : []));
    expect(errors.join('')).toContain('[redacted:TOGETHER_API_KEY]');
    await store.close();
    expect(databaseBytes(store.location)).not.toContain(key);
  });
});
