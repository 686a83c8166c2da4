import type { HerdConfig, HerdEvent } from '@herd/core';
import { measureRequest, type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFailingTestRepository,
  fixEditCall,
  fixPlan,
  runHerdToEnd,
} from '../engine/fixture-repository.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ofType = <TType extends HerdEvent['type']>(events: readonly HerdEvent[], type: TType) =>
  events.filter((event): event is Extract<HerdEvent, { type: TType }> => event.type === type);

/** A module of about `lines` lines of ordinary code, different in every file. */
function moduleSource(index: number, lines: number): string {
  const body: string[] = [`// Module ${index}: billing rules for region ${index % 17}.`];
  for (let line = 0; line < lines; line++) {
    body.push(
      `export function rule${index}x${line}(amount, rate${line % 7}) { return Math.round(amount * (rate${line % 7} + ${line / 100})) + ${index * line}; }`,
    );
  }
  return `${body.join('\n')}\n`;
}

function repositoryOf(files: number, linesEach: number): Record<string, string> {
  const entries: Record<string, string> = {};
  for (let index = 0; index < files; index++)
    entries[`src/rules/rule-${index}.js`] = moduleSource(index, linesEach);
  return entries;
}

async function runToEnd(input: { workspace: string; config: HerdConfig; env: NodeJS.ProcessEnv }) {
  return runHerdToEnd({
    workspace: input.workspace,
    config: { config: input.config, file: undefined, baseDirectory: input.workspace },
    env: input.env,
    autoApprovePlan: true,
  });
}

const scout = 'accounts/fireworks/models/llama4-scout-instruct-basic';
const maverick = 'accounts/fireworks/models/llama4-maverick-instruct-basic';

describe("the planner's requests fit the window the host serves", () => {
  it.each([
    ['the default output reserve', undefined, repositoryOf(101, 34)],
    // A smaller reserve packs more: the preset's 16,384 max_tokens would then pass 131,072 (a 400 before).
    ['a 2,048-token output reserve', 2_048, repositoryOf(101, 35)],
  ])(
    'with the Fireworks preset and %s, a repository that fits is packed whole and planned in one call (no 400, no re-pack)',
    async (_name, outputReserve, files) => {
      server = await startScriptedServer({ contextWindow: { [scout]: 131_072, [maverick]: 131_072 } });
      const workspace = createFailingTestRepository(files);
      server.enqueue({ content: JSON.stringify(fixPlan) }, { model: scout });
      server.enqueue([fixEditCall, { content: 'done' }], { model: maverick });
      const { result, events } = await runToEnd({
        workspace,
        env: { FIREWORKS_API_KEY: 'fw-test-key' },
        config: {
          provider: 'fireworks',
          providers: { fireworks: { baseUrl: server.url } },
          roles: { planner: { retries: 0 }, actor: { retries: 0 } },
          run: { testCommand: ['node', 'test.js'], ...(outputReserve ? { outputReserve } : {}) },
        },
      });

      expect(server.windowRefusals).toEqual([]);
      expect(result.status).toBe('succeeded');
      const [pack, ...repacks] = ofType(events, 'context-pack');
      expect(repacks).toEqual([]);
      expect(pack).toMatchObject({ strategy: 'whole', filesExcluded: 0 });
      expect(pack!.filesIncluded).toBeGreaterThanOrEqual(101);
      expect(ofType(events, 'warning').map((event) => event.code)).not.toContain('context_overflow');
      const plannerRequests = server.chatRequests().filter((body) => body.model === scout);
      expect(plannerRequests).toHaveLength(1);
      const { promptTokens } = measureRequest(plannerRequests[0]!);
      const asked = plannerRequests[0]!.max_tokens as number;
      expect(asked).toBeGreaterThanOrEqual(outputReserve ?? 8_192);
      expect(promptTokens + asked).toBeLessThanOrEqual(131_072);
    },
    120_000,
  );

  it('learns a 32,768-token window from /v1/models when the configuration sets none, and packs to it', async () => {
    server = await startScriptedServer({ contextWindow: { 'test-scout': 32_768, 'test-maverick': 32_768 } });
    const workspace = createFailingTestRepository(repositoryOf(60, 27));
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: 'test-scout' });
    server.enqueue([fixEditCall, { content: 'done' }], { model: 'test-maverick' });
    const { result, events } = await runToEnd({
      workspace,
      env: {},
      config: {
        provider: 'local',
        providers: { local: { extends: 'vllm', baseUrl: server.url } },
        roles: {
          planner: { model: 'test-scout', retries: 0 },
          actor: { model: 'test-maverick', retries: 0 },
        },
        run: { testCommand: ['node', 'test.js'] },
      },
    });

    expect(result.status).toBe('succeeded');
    const packs = ofType(events, 'context-pack');
    expect(packs).toHaveLength(1);
    expect(packs[0]!.budget).toBeLessThan(32_768);
    expect(server.windowRefusals).toEqual([]);
    expect(server.requests.some((request) => request.path === '/v1/models')).toBe(true);
  }, 120_000);
});
