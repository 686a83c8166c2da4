import { testModels } from '@herd/core/testing';
import { type ScriptedServer, type ScriptedTurn, startScriptedServer } from '@herd/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFailingTestRepository,
  fixEditCall,
  fixPlan,
  runHerdToEnd,
  scriptedRunConfig,
} from '../engine/fixture-repository.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runActor(turns: ScriptedTurn[]) {
  server = await startScriptedServer();
  server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
  server.enqueue(turns, { model: testModels.actor });
  const workspace = createFailingTestRepository();
  return runHerdToEnd({
    workspace,
    env: {},
    autoApprovePlan: true,
    config: scriptedRunConfig({ workspace, baseUrl: server.url }),
  });
}

const readReadme = { toolCalls: [{ name: 'read_file', arguments: { path: 'README.md' } }] };

describe('a host whose context-length refusals are not what they seem', () => {
  it.each<[string, ScriptedTurn]>([
    ['names a window smaller than the step instructions', { fault: 'context_length', maxTokens: 10 }],
    [
      'matches the wording but is about something else',
      {
        fault: 'server_error',
        status: 400,
        message: 'Invalid tools: a context length 3 description is not supported for this tool',
      },
    ],
  ])(
    'a refusal that %s is retried once with the conversation shrunk, never an internal_error',
    async (_name, refusal) => {
      const { result, events } = await runActor([readReadme, refusal, fixEditCall, { content: 'done' }]);
      expect(events.filter((event) => event.type === 'error')).toEqual([]);
      expect(result.status).toBe('succeeded');
      expect(events).toContainEqual(expect.objectContaining({ type: 'warning', code: 'context_overflow' }));
    },
    120_000,
  );
});
