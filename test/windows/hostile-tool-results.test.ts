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

const window = 16_384;

/** A repeatable pseudo-random pick from `alphabet` (an array of code points or characters). */
function randomText(alphabet: readonly string[], length: number, lineLength?: number): string {
  let seed = 7;
  let text = '';
  for (let index = 0; index < length; index++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    text += alphabet[seed % alphabet.length];
    if (lineLength && (index + 1) % lineLength === 0) text += '\n';
  }
  return text;
}

// Text written to be misjudged by the fast o200k estimate the caps were sized with: each is far more tokens than it
// estimates at (punctuation: 1 token estimated for 100,000 characters; 4-letter words: 40%; rare CJK: a third).
const hostileFiles: Array<[string, string]> = [
  ['lines of punctuation', randomText([...'!#$%&()*+,-./:;<=>?@[]^_`{|}~'], 120_000, 100)],
  [
    'random four-letter words',
    Array.from({ length: 40_000 }, (_, index) =>
      randomText([...'abcdefghijklmnopqrstuvwxyz'], 4 + (index % 3)),
    ).join(' '),
  ],
  [
    'rare CJK characters',
    randomText(
      Array.from({ length: 4_000 }, (_, index) => String.fromCodePoint(0x20000 + index * 7)),
      40_000,
      80,
    ),
  ],
  ['one 300 KB line without whitespace', randomText([...'abcdefghijklmnopqrstuvwxyz'], 300_000)],
];

async function runReading(input: { content: string; plan?: typeof fixPlan; reads: boolean }) {
  server = await startScriptedServer({
    contextWindow: { [testModels.planner]: window, [testModels.actor]: window },
  });
  server.enqueue({ content: JSON.stringify(input.plan ?? fixPlan) }, { model: testModels.planner });
  server.enqueue(
    [
      ...(input.reads ? [{ toolCalls: [{ name: 'read_file', arguments: { path: 'data/noise.txt' } }] }] : []),
      fixEditCall,
      { content: 'done' },
    ],
    { model: testModels.actor },
  );
  const workspace = createFailingTestRepository({
    'data/noise.txt': input.content,
    // Kept out of the planner's pack: this is about what the actor reads.
    '.gitignore': 'data/\n',
  });
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

function expectEveryActorRequestFits() {
  expect(server!.windowRefusals).toEqual([]);
  const actorRequests = server!.chatRequests().filter((body) => body.model === testModels.actor);
  expect(actorRequests.length).toBeGreaterThanOrEqual(2);
  for (const body of actorRequests) {
    const use = measureRequest(body);
    expect(use.promptTokens + use.completionTokens).toBeLessThanOrEqual(window);
  }
}

describe('a file written to fool the token estimate does not overflow the actor window', () => {
  it.each(hostileFiles)(
    'the actor reads %s: the result is cut to what fits and the step finishes',
    async (_name, content) => {
      const { result, events } = await runReading({ content, reads: true });
      expect(events.filter((event) => event.type === 'error')).toEqual([]);
      expect(result.status).toBe('succeeded');
      expectEveryActorRequestFits();
      const readResult = server!
        .chatRequests()
        .filter((body) => body.model === testModels.actor)[1]!
        .messages!.find((message) => message.role === 'tool');
      expect(String(readResult!.content)).toMatch(/Herd cut this result .* call read_file with startLine=/s);
    },
    180_000,
  );

  it('a step file of punctuation goes into the first message in part, not whole', async () => {
    const plan = {
      ...fixPlan,
      steps: [
        {
          ...fixPlan.steps[0]!,
          files: [...fixPlan.steps[0]!.files, { path: 'data/noise.txt', change: 'modify' as const }],
        },
      ],
    };
    const { result, events } = await runReading({ content: hostileFiles[0]![1], plan, reads: false });
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
    expect(result.status).toBe('succeeded');
    expectEveryActorRequestFits();
    const first = server!
      .chatRequests()
      .find((body) => body.model === testModels.actor)!
      .messages!.at(-1)!;
    expect(String(first.content)).toMatch(/\[Herd shows lines 1-\d+ of 1200:/);
  }, 180_000);
});
