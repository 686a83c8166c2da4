import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestConfig, testModels } from '@herd/core/testing';
import { createHerd } from '@herd/engine';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixPlan } from './fixture-repository.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

function configFor(workspace: string) {
  const config = createTestConfig({ baseUrl: server.url });
  // Llama Guard is left out here so that guard calls do not consume the scripted model turns.
  return {
    config: { ...config, roles: { planner: config.roles?.planner, actor: config.roles?.actor } },
    file: undefined,
    baseDirectory: workspace,
  };
}

describe('plan → approve → act → verify', () => {
  it('fixes a failing test in a fixture repository and reports the diff', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue(
      [
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
            },
          ],
        },
        { content: 'Replaced the subtraction with an addition.' },
      ],
      { model: testModels.actor },
    );
    const herd = createHerd({ workspace, config: configFor(workspace), autoApprovePlan: true, env: {} });
    const run = herd.run('make the failing test pass');
    const types: string[] = [];
    for await (const event of run) types.push(event.type);
    const result = await run.result;
    await herd.close();

    expect(result.status).toBe('succeeded');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
    expect(result.verification?.passed).toBe(true);
    expect(result.patch).toContain('+  return left + right;');
    expect(types).toEqual(
      expect.arrayContaining([
        'run-start',
        'context-pack',
        'plan-propose',
        'plan-approve',
        'step-start',
        'tool-call',
        'tool-result',
        'file-change',
        'step-finish',
        'run-finish',
      ]),
    );
    expect(types.at(-1)).toBe('run-finish');
  });
});
