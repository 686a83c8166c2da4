import { existsSync } from 'node:fs';
import type { LoadedHerdConfig } from '@herd/core';
import { createTestConfig, testModels } from '@herd/core/testing';
import { createHerd, workspaceRunLockPath } from '@herd/engine';
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

const loadedConfig = (workspace: string): LoadedHerdConfig => {
  const base = createTestConfig({ baseUrl: server.url, testCommand: ['node', 'test.js'] });
  return {
    config: { ...base, roles: { planner: base.roles?.planner, actor: base.roles?.actor } },
    file: undefined,
    baseDirectory: workspace,
  };
};

describe('a run stopped while a question is open', () => {
  it('ends cancelled with a warning that says how to resume, not as a failure, and frees the workspace', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    const controller = new AbortController();
    const herd = createHerd({
      workspace,
      config: loadedConfig(workspace),
      env: {},
      // As Ctrl-C at the terminal prompt does: the question stays open and the run's signal fires.
      resolveApproval: async () => {
        controller.abort();
        return undefined;
      },
    });

    const result = await herd.run('make the test pass', { signal: controller.signal }).result;
    await herd.close();

    expect(result.status).toBe('cancelled');
    expect(result.events.filter((event) => event.type === 'error')).toEqual([]);
    expect(result.events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'run_cancelled' }));
    expect(existsSync(workspaceRunLockPath(workspace))).toBe(false);
  });
});
