import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HerdConfig, HerdEvent, LoadedHerdConfig } from '@herd/core';
import { createTestConfig, testModels } from '@herd/core/testing';
import { type CreateHerdOptions, createHerd } from '@herd/engine';
import { type ScriptedServer, type ScriptedTurn, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFailingTestRepository } from '../../../../../test/engine/fixture-repository.js';
import { createSessionStore } from '../../../src/sessions/create-session-store.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

/** A configuration whose planner and actor are the scripted server, with the checkpoints kept in a temp folder. */
function scriptedConfig(workspace: string): LoadedHerdConfig {
  const base = createTestConfig({ baseUrl: server.url, testCommand: ['node', 'test.js'] });
  const config: HerdConfig = {
    ...base,
    roles: { planner: base.roles?.planner, actor: base.roles?.actor },
    tools: { checkpoints: { directory: mkdtempSync(join(tmpdir(), 'herd-prepare-fix-checkpoints-')) } },
  };
  return { config, file: undefined, baseDirectory: workspace };
}

const plan = {
  summary: 'Make add() add.',
  steps: [
    {
      id: 'step-1',
      title: 'Fix add',
      intent: 'Replace the subtraction with an addition.',
      files: [{ path: 'src/add.js', change: 'modify' }],
      commands: [],
      acceptance: 'add(2, 3) returns 5',
    },
  ],
  verification: [['node', 'test.js']],
};

const edit = (search: string, replace: string): ScriptedTurn => ({
  toolCalls: [{ name: 'edit_file', arguments: { path: 'src/add.js', edits: [{ search, replace }] } }],
});

/** Step 1 multiplies instead of adding, so the first verification fails and a fix attempt follows. */
const wrongStep: ScriptedTurn[] = [edit('left - right', 'left * right'), { content: 'done' }];
const fixTurn = edit('left * right', 'left + right');
const notesTurn: ScriptedTurn = {
  toolCalls: [{ name: 'write_file', arguments: { path: 'NOTES.md', content: 'notes\n' } }],
};

const readAdd = (workspace: string) => readFileSync(join(workspace, 'src/add.js'), 'utf8');

const ofType = <TType extends HerdEvent['type']>(events: readonly HerdEvent[], type: TType) =>
  events.filter((event): event is Extract<HerdEvent, { type: TType }> => event.type === type);

function herdFor(workspace: string, options: Partial<CreateHerdOptions> = {}) {
  return createHerd({ workspace, env: {}, autoApprovePlan: true, ...options });
}

describe('a fix attempt after a failed verification', () => {
  it('takes its own undo point, announced with checkpoint-create, that undoing step fix-1 restores', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue({ content: JSON.stringify(plan) }, { model: testModels.planner });
    server.enqueue([...wrongStep, fixTurn, { content: 'fixed' }], { model: testModels.actor });
    const herd = herdFor(workspace, { config: scriptedConfig(workspace) });

    const result = await herd.run('make the test pass').result;

    expect(result.status).toBe('succeeded');
    expect(readAdd(workspace)).toContain('left + right');
    const fixEvents = result.events.filter((event) => 'stepId' in event && event.stepId === 'fix-1');
    expect(fixEvents[0]).toMatchObject({ type: 'checkpoint-create', stepId: 'fix-1' });
    expect(ofType(result.events, 'checkpoint-create').map((event) => event.stepId)).toEqual([
      'step-1',
      'fix-1',
    ]);
    const fixStart = result.events.findIndex(
      (event) => event.type === 'step-start' && event.stepId === 'fix-1',
    );
    const fixChanges = ofType(result.events.slice(fixStart), 'file-change');
    expect(fixChanges).toEqual([expect.objectContaining({ path: 'src/add.js', change: 'modify' })]);
    expect(fixChanges[0]?.diff).toContain('-  return left * right;');

    await herd.undo({ sessionId: result.sessionId, step: 'fix-1' });
    await herd.close();
    expect(readAdd(workspace)).toContain('left * right');
  });

  it('is announced once when it pauses for an approval and goes on in the same run', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue({ content: JSON.stringify(plan) }, { model: testModels.planner });
    server.enqueue([...wrongStep, fixTurn, notesTurn, { content: 'fixed' }], { model: testModels.actor });
    const herd = herdFor(workspace, {
      config: scriptedConfig(workspace),
      resolveApproval: async () => 'allow_once',
    });

    const result = await herd.run('make the test pass').result;
    await herd.close();

    expect(result.status).toBe('succeeded');
    expect(ofType(result.events, 'approval-request')).toHaveLength(1);
    const starts = ofType(result.events, 'step-start').map((event) => event.stepId);
    expect(starts).toEqual(['step-1', 'fix-1']);
  });

  it('paused inside the attempt and resumed by another Herd keeps the undo point taken before it, taking no second one', async () => {
    const workspace = createFailingTestRepository();
    const config = scriptedConfig(workspace);
    server.enqueue({ content: JSON.stringify(plan) }, { model: testModels.planner });
    server.enqueue([...wrongStep, fixTurn, notesTurn, { content: 'fixed' }], { model: testModels.actor });
    // NOTES.md is not in the plan: the fix attempt pauses on that question after it already edited src/add.js.
    const first = herdFor(workspace, { config, resolveApproval: async () => undefined });
    const paused = await first.run('make the test pass').result;
    await first.close();
    expect(paused.status).toBe('awaiting_approval');
    expect(readAdd(workspace)).toContain('left + right');
    const store = await createSessionStore({ workspace });
    const saved = await store.checkpointer.getTuple(store.threadConfig(paused.sessionId));
    await store.close();
    const recorded = (saved?.checkpoint.channel_values.stepCheckpoints ?? {}) as Record<string, string>;
    const announced = ofType(paused.events, 'checkpoint-create').find((event) => event.stepId === 'fix-1');
    expect(announced?.checkpointId).toEqual(expect.any(String));
    expect(recorded['fix-1']).toBe(announced?.checkpointId);

    const second = herdFor(workspace, { config, resolveApproval: async () => 'allow_once' });
    const resumed = await second.resume(paused.sessionId).result;

    expect(resumed.status).toBe('succeeded');
    expect(ofType(resumed.events, 'checkpoint-create')).toEqual([]);
    const fixChanges = ofType(resumed.events, 'file-change').map((event) => event.path);
    expect(fixChanges.sort()).toEqual(['NOTES.md', 'src/add.js']);
    await second.undo({ sessionId: paused.sessionId, step: 'fix-1' });
    await second.close();
    expect(readAdd(workspace)).toContain('left * right');
    expect(existsSync(join(workspace, 'NOTES.md'))).toBe(false);
  });
});
