import type { HerdEvent } from '@herd/core';
import { testModels } from '@herd/core/testing';
import { measureRequest, type ScriptedServer, startScriptedServer } from '@herd/test-support';
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

const ofType = <TType extends HerdEvent['type']>(events: readonly HerdEvent[], type: TType) =>
  events.filter((event): event is Extract<HerdEvent, { type: TType }> => event.type === type);

/** A log file of about `tokens` o200k tokens, ten a line. */
function bigLog(tokens: number): string {
  const lines: string[] = [];
  for (let line = 1; line <= tokens / 10; line++)
    lines.push(`event ${line}: request served in ${line % 97} ms`);
  return `${lines.join('\n')}\n`;
}

async function runWithWindow(window: number, script: (scripted: ScriptedServer) => void) {
  server = await startScriptedServer({
    contextWindow: { [testModels.planner]: window, [testModels.actor]: window },
  });
  script(server);
  const workspace = createFailingTestRepository({ 'logs/big.log': bigLog(window * 5) });
  return runHerdToEnd({
    workspace,
    env: {},
    autoApprovePlan: true,
    config: scriptedRunConfig({
      workspace,
      baseUrl: server.url,
      contextWindow: window,
    }),
  });
}

const readWhole = { toolCalls: [{ name: 'read_file', arguments: { path: 'logs/big.log' } }] };
const readRange = {
  toolCalls: [{ name: 'read_file', arguments: { path: 'logs/big.log', startLine: 2_000, endLine: 2_020 } }],
};

/** The actor requests, with the text of the tool results each carried. */
function actorToolResults(): string[][] {
  return server!
    .chatRequests()
    .filter((body) => body.model === testModels.actor)
    .map((body) =>
      (body.messages ?? [])
        .filter((message) => message.role === 'tool')
        .map((message) => String(message.content)),
    );
}

describe("the actor's conversation stays inside the window the host serves", () => {
  it.each([16_384, 131_072])(
    'reads a file five times larger than a %i-token window in part, reads on by range, and finishes the step',
    async (window) => {
      const { result, events } = await runWithWindow(window, (scripted) => {
        scripted.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
        scripted.enqueue([readWhole, readRange, fixEditCall, { content: 'done' }], {
          model: testModels.actor,
        });
      });

      expect(server!.windowRefusals).toEqual([]);
      expect(result.status).toBe('succeeded');
      const [, afterWhole, afterRange] = actorToolResults();
      const capped = afterWhole!.at(-1)!;
      expect(capped).toMatch(/Herd cut this result .* call read_file with startLine=\d+/s);
      expect(afterRange!.at(-1)).toContain('event 2000: request served');
      for (const body of server!.chatRequests().filter((request) => request.model === testModels.actor)) {
        const use = measureRequest(body);
        expect(use.promptTokens + use.completionTokens).toBeLessThanOrEqual(window);
      }
      expect(ofType(events, 'error')).toEqual([]);
    },
    180_000,
  );
});

describe('a context-length 400 from the host', () => {
  it('is recovered once: the conversation is shrunk and sent again, with a warning', async () => {
    const { result, events } = await runWithWindow(16_384, (scripted) => {
      scripted.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
      scripted.enqueue([{ fault: 'context_length', maxTokens: 16_384 }, fixEditCall, { content: 'done' }], {
        model: testModels.actor,
      });
    });
    expect(result.status).toBe('succeeded');
    expect(ofType(events, 'warning')).toContainEqual(
      expect.objectContaining({ code: 'context_overflow', message: expect.stringContaining('16384 tokens') }),
    );
    expect(ofType(events, 'error')).toEqual([]);
  }, 120_000);

  it('ends the run the second time as a provider error naming the window and the fix, not internal_error', async () => {
    const { result, events } = await runWithWindow(16_384, (scripted) => {
      scripted.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
      scripted.enqueue(
        [
          { fault: 'context_length', maxTokens: 16_384 },
          { fault: 'context_length', maxTokens: 16_384 },
        ],
        { model: testModels.actor },
      );
    });
    expect(result.status).toBe('failed');
    const [error] = ofType(events, 'error');
    expect(error).toMatchObject({ code: 'context_length_exceeded', blame: 'system', fatal: true });
    expect(error!.message).toContain('16384-token context window');
    expect(error!.message).toContain('roles.actor.contextWindow');
    expect(error!.message).toMatch(/--max-model-len|OLLAMA_CONTEXT_LENGTH/);
  }, 120_000);
});
