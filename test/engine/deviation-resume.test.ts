import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testModels } from '@herd/core/testing';
import { createHerd } from '@herd/engine';
import { useScriptedServer } from '@herd/test-support/vitest';
import { describe, expect, it } from 'vitest';
import {
  createFailingTestRepository,
  fixEditCall,
  fixPlan,
  scriptedRunConfig,
} from './fixture-repository.js';

const server = useScriptedServer();

const writeCall = (path: string) => ({
  toolCalls: [{ name: 'write_file', arguments: { path, content: `${path}\n` } }],
});

const notesDeviation = {
  stepId: 'step-1',
  kind: 'undeclared_file',
  detail: 'writing NOTES.md',
  action: 'ask',
};
const changelogDeviation = { ...notesDeviation, detail: 'writing CHANGELOG.md' };

/**
 * The actor writes two files the plan does not name. The first is allowed in the first process; the second stays
 * unanswered, so that process ends with the step paused on an approval after one deviation was recorded.
 */
async function pauseOnSecondDeviation(workspace: string) {
  server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
  server.enqueue([writeCall('NOTES.md'), writeCall('CHANGELOG.md'), fixEditCall, { content: 'done' }], {
    model: testModels.actor,
  });
  const herd = createHerd({
    workspace,
    config: scriptedRunConfig({ workspace, baseUrl: server.url }),
    env: {},
    autoApprovePlan: true,
    resolveApproval: async (request) =>
      request.title.startsWith('writing NOTES.md') ? 'allow_once' : undefined,
  });
  const result = await herd.run('make the failing test pass').result;
  await herd.close();
  return result;
}

describe('deviations recorded before an approval pause', () => {
  it('are reported once when another process resumes the run from the session store', async () => {
    const workspace = createFailingTestRepository();
    const paused = await pauseOnSecondDeviation(workspace);
    expect(paused.status).toBe('awaiting_approval');
    expect(paused.pendingApprovals).toEqual([
      expect.objectContaining({ title: 'writing CHANGELOG.md. Allow it?' }),
    ]);

    const herd = createHerd({
      workspace,
      config: scriptedRunConfig({ workspace, baseUrl: server.url }),
      env: {},
      resolveApproval: async () => 'allow_once',
    });
    const result = await herd.resume(paused.sessionId).result;
    await herd.close();

    expect(result.reason).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(readFileSync(join(workspace, 'CHANGELOG.md'), 'utf8')).toBe('CHANGELOG.md\n');
    expect(result.deviations).toEqual([notesDeviation, changelogDeviation]);
  });

  it('are reported once when the same process answers and goes on', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue([writeCall('NOTES.md'), writeCall('CHANGELOG.md'), fixEditCall, { content: 'done' }], {
      model: testModels.actor,
    });
    const herd = createHerd({
      workspace,
      config: scriptedRunConfig({ workspace, baseUrl: server.url }),
      env: {},
      autoApprovePlan: true,
      resolveApproval: async () => 'allow_once',
    });
    const result = await herd.run('make the failing test pass').result;
    await herd.close();

    expect(result.reason).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(result.deviations).toEqual([notesDeviation, changelogDeviation]);
  });
});
