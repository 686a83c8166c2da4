import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HerdError, type LoadedHerdConfig } from '@herd/core';
import { createTestConfig, testModels } from '@herd/core/testing';
import { type ApprovalDecision, createHerd, workspaceRunLockPath } from '@herd/engine';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixPlan } from '../../../../test/engine/fixture-repository.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

const plan = JSON.stringify(fixPlan);

const fixTurns = [
  {
    toolCalls: [
      {
        name: 'edit_file',
        arguments: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
      },
    ],
  },
  { content: 'done' },
];

const loadedConfig = (workspace: string): LoadedHerdConfig => {
  const base = createTestConfig({ baseUrl: server.url, testCommand: ['node', 'test.js'] });
  return {
    config: { ...base, roles: { planner: base.roles?.planner, actor: base.roles?.actor } },
    baseDirectory: workspace,
  } as LoadedHerdConfig;
};

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => HerdError.find(error)?.code,
  );

/** A Herd whose plan approvals wait until `answer` is called; `asked` settles when the first question comes. */
function herdWaitingForApproval(workspace: string) {
  let answer: (decision: ApprovalDecision) => void = () => {};
  let reached: () => void = () => {};
  const asked = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const herd = createHerd({
    workspace,
    config: loadedConfig(workspace),
    env: {},
    resolveApproval: () =>
      new Promise<ApprovalDecision>((resolve) => {
        answer = resolve;
        reached();
      }),
  });
  return { herd, asked, answer: (decision: ApprovalDecision) => answer(decision) };
}

describe('two runs on one workspace', () => {
  it('refuses a second acting run while the first holds the workspace, and lets it run once the first ended', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue([{ content: plan }, { content: plan }], { model: testModels.planner });
    const first = herdWaitingForApproval(workspace);
    const running = first.herd.run('make the test pass');
    await first.asked;

    const second = createHerd({ workspace, config: loadedConfig(workspace), env: {}, autoApprovePlan: true });
    expect(await codeOf(second.run('make the test pass too').result)).toBe('workspace_busy');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');

    server.enqueue(fixTurns, { model: testModels.actor });
    first.answer('allow_once');
    expect((await running.result).status).toBe('succeeded');
    await first.herd.close();
    expect(existsSync(workspaceRunLockPath(workspace))).toBe(false);

    server.enqueue({ content: 'add already adds; nothing to change' }, { model: testModels.actor });
    const again = await second.run('check the test passes').result;
    await second.close();
    expect(again.reason).toBeUndefined();
    expect(again.status).toBe('succeeded');
  });

  it('leaves the live run of a session alone when a second resume of it is refused', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue({ content: plan }, { model: testModels.planner });
    const first = herdWaitingForApproval(workspace);
    const running = first.herd.run('make the test pass');
    await first.asked;
    const sessionDirectory = join(workspace, '.herd', 'sessions', running.sessionId);
    const logBefore = readFileSync(join(sessionDirectory, 'events.ndjson'), 'utf8');
    const marker = readFileSync(join(sessionDirectory, 'running.pid'), 'utf8');

    const second = createHerd({ workspace, config: loadedConfig(workspace), env: {} });
    expect(await codeOf(second.resume(running.sessionId).result)).toBe('workspace_busy');
    await second.close();

    expect(readFileSync(join(sessionDirectory, 'events.ndjson'), 'utf8')).toBe(logBefore);
    expect(readFileSync(join(sessionDirectory, 'running.pid'), 'utf8')).toBe(marker);
    first.answer('reject');
    await running.result;
    await first.herd.close();
  });

  it('plans beside a run that holds the workspace', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue([{ content: plan }, { content: plan }], { model: testModels.planner });
    const first = herdWaitingForApproval(workspace);
    const running = first.herd.run('make the test pass');
    await first.asked;

    const planner = createHerd({ workspace, config: loadedConfig(workspace), env: {} });
    const planned = await planner.plan('how would you fix add?').result;
    await planner.close();
    expect(planned.status).toBe('succeeded');

    first.answer('reject');
    await running.result;
    await first.herd.close();
  });

  it('refuses to undo an earlier run while another run holds the workspace', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue([{ content: plan }, { content: plan }], { model: testModels.planner });
    server.enqueue(fixTurns, { model: testModels.actor });
    const earlier = createHerd({
      workspace,
      config: loadedConfig(workspace),
      env: {},
      autoApprovePlan: true,
    });
    const done = await earlier.run('make the test pass').result;
    expect(done.status).toBe('succeeded');

    const first = herdWaitingForApproval(workspace);
    const running = first.herd.run('tidy add');
    await first.asked;
    expect(await codeOf(earlier.undo({ sessionId: done.sessionId }))).toBe('workspace_busy');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');

    first.answer('reject');
    await running.result;
    await first.herd.close();
    await earlier.undo({ sessionId: done.sessionId });
    await earlier.close();
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left - right');
  });
});
