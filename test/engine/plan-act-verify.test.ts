import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testModels } from '@herd/core/testing';
import { createHerd } from '@herd/engine';
import { useScriptedServer } from '@herd/test-support/vitest';
import { describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixPlan, scriptedRunConfig } from './fixture-repository.js';

const server = useScriptedServer();

const configFor = (workspace: string, toolCalling: 'native' | 'text' = 'native') =>
  scriptedRunConfig({ workspace, baseUrl: server.url, toolCalling });

const fixEdit = { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] };
const actorTurns = {
  native: { toolCalls: [{ name: 'edit_file', arguments: fixEdit }] },
  // The same call as a host that leaves Llama 4 calls in the text returns it.
  text: {
    content: '[edit_file(path="src/add.js", edits=[{"search": "left - right", "replace": "left + right"}])]',
  },
};

describe.each(['native', 'text'] as const)(
  'plan → approve → act → verify with %s tool calls',
  (toolCalling) => {
    it('fixes a failing test in a fixture repository and reports the diff', async () => {
      const workspace = createFailingTestRepository();
      server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
      server.enqueue([actorTurns[toolCalling], { content: 'Replaced the subtraction with an addition.' }], {
        model: testModels.actor,
      });
      const herd = createHerd({
        workspace,
        config: configFor(workspace, toolCalling),
        autoApprovePlan: true,
        env: {},
      });
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
      const actorRequests = server.chatRequests().filter((body) => body.model === testModels.actor);
      if (toolCalling === 'text') {
        expect(actorRequests[0]?.tools).toBeUndefined();
        expect(JSON.stringify(actorRequests[0]?.messages)).toContain('python list of calls');
        expect(actorRequests[1]?.messages?.some((message) => message.role === 'tool')).toBe(false);
      } else {
        expect(actorRequests[0]?.tools?.length).toBeGreaterThan(3);
      }
    });
  },
);

describe('streamed actor text', () => {
  it('reaches the event stream as model-text, after the guard passed it', async () => {
    const workspace = createFailingTestRepository();
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue(
      [
        actorTurns.native,
        { content: 'I replaced the subtraction with an addition in src/add.js.', chunkSize: 5 },
      ],
      {
        model: testModels.actor,
      },
    );
    const herd = createHerd({ workspace, config: configFor(workspace), autoApprovePlan: true, env: {} });
    const run = herd.run('make the failing test pass');
    const texts: string[] = [];
    for await (const event of run) if (event.type === 'model-text') texts.push(event.text);
    await run.result;
    await herd.close();
    expect(texts.join('')).toBe('I replaced the subtraction with an addition in src/add.js.');
    expect(server.chatRequests().find((body) => body.model === testModels.actor)?.stream).toBe(true);
  });
});
