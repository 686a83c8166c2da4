// Framework overhead per agent step: Herd's actor stack versus a bare LangChain createAgent doing the same steps.
// One step = one model call to a zero-latency local scripted model + one tool call. Herd adds the actor's
// middleware as `herd run` builds it (actorMiddleware: the run limits, model routing, the plan contract, the guard
// with the cheap local scanners only, no classifiers) and the dispatcher (validation, jail, timeout) around the
// same no-op tool; only the context-window middleware is left out. A third stack, Herd without the guard,
// separates the guard's share. A fourth is the stack of an interactive run, whose guard can ask a person: its
// hooks stay graph nodes of their own (see actorTurnMiddleware).
//
// Each trial runs one conversation of BENCH_STEPS tool calls (default 20; each call has a new argument, as a
// real agent's calls do: a run stops a model that repeats one call) on every stack, in an order that rotates
// from trial to trial. The figures are per-step differences within a trial (paired: the machine's load moves
// both sides of a pair alike), over BENCH_TRIALS trials (default 60), as a median with a 95% interval that
// assumes nothing about the noise. An interval that lies below the target resolves the claim. Wall time is the
// target's measure; beside it, this process's CPU time per step, which a loaded machine's wait for a core does not
// stretch. A stack that stops before its last step fails the bench instead of looking fast.
//
// Run from the repository root after `pnpm build`:  pnpm bench loop
import { type HerdEventInput, resolveModelRole } from '@herd/core';
import { createChatModelChain } from '@herd/core/models';
import { createTestConfig, testModels } from '@herd/core/testing';
import { actorMiddleware } from '@herd/engine';
import { createAgentGuard, createGuard } from '@herd/guard';
import { startScriptedServer } from '@herd/test-support';
import { createToolDispatcher, createToolRegistry, defineTool, toLangChainTools } from '@herd/tools';
import { type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { createAgent } from 'langchain';
import { z } from 'zod';
import { describeMachine, loadNow, medianInterval, summarize } from '../sample-summary.mjs';

const steps = Number(process.env.BENCH_STEPS ?? 20);
const trials = Number(process.env.BENCH_TRIALS ?? 60);
const targetMs = 2;

const server = await startScriptedServer();
let remaining = 0;
let call = 0;
server.respondWith(() => {
  if (remaining > 0) {
    remaining--;
    call++;
    return {
      toolCalls: [{ name: 'noop', arguments: { value: `x${call}` } }],
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    };
  }
  return { content: 'done', usage: { prompt_tokens: 10, completion_tokens: 1 } };
});

const config = createTestConfig({ baseUrl: server.url });
const role = resolveModelRole({ config, role: 'actor', env: {} });
const models = createChatModelChain({ role, env: {} });

const bareTool = tool(async ({ value }: { value: string }) => value, {
  name: 'noop',
  description: 'Returns its value.',
  schema: z.object({ value: z.string() }),
});
const bareAgent = createAgent({ model: models[0]!, tools: [bareTool] });

const noop = defineTool({
  name: 'noop',
  description: 'Returns its value.',
  input: z.object({ value: z.string() }),
  access: 'read',
  run: ({ value }) => value,
});
const dispatcher = createToolDispatcher({ registry: createToolRegistry({ tools: [noop] }) });
const herdTools = toLangChainTools({ dispatcher });
const approvedTools = toLangChainTools({ dispatcher, approved: true });
const guardScanner = createGuard({ policy: 'balanced', mode: 'act', env: {} });
const events: HerdEventInput[] = [];
const emit = (event: HerdEventInput) => {
  events.push(event);
};
const herdStack = (guard: 'unattended' | 'interactive' | 'none') =>
  createAgent({
    model: models[0]!,
    tools: herdTools,
    middleware: actorMiddleware({
      routing: { role, models, emit },
      contract: {
        step: { id: 'step-1', title: 'bench', intent: 'bench', files: [], commands: [], acceptance: 'bench' },
        extraCommands: [],
        registry: dispatcher.registry,
        tools: {
          dispatcher,
          tools: herdTools,
          approved: (name) => approvedTools.find((candidate) => candidate.name === name),
        },
        onDeviation: 'block',
        interactive: false,
        memory: { has: () => false, add: () => {} },
        emit,
      },
      meter: { check: () => {} },
      ...(guard === 'none'
        ? {}
        : {
            guard: createAgentGuard({
              guard: guardScanner,
              // Never asked in these steps: what counts is that a person could be.
              ...(guard === 'interactive' ? { approve: async () => true } : {}),
            }),
          }),
    }).middleware,
  });

type Agent = {
  invoke: (input: { messages: HumanMessage[] }, config: { recursionLimit: number }) => Promise<unknown>;
};

/** Wall time and this process's CPU time (the scripted server's included, the same on every stack) per step. */
interface StepCost {
  wall: number;
  cpu: number;
}

async function timeSteps(agent: Agent): Promise<StepCost> {
  remaining = steps;
  events.length = 0;
  server.requests.length = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = (await agent.invoke(
    { messages: [new HumanMessage('call noop until told otherwise')] },
    { recursionLimit: steps * 6 + 20 },
  )) as { messages: BaseMessage[] };
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = performance.now() - started;
  // A stack that stopped early (a guard block, a refused call) would look fast: every step must have run.
  const toolResults = result.messages.filter((message) => ToolMessage.isInstance(message)).length;
  if (server.requests.length !== steps + 1 || toolResults !== steps) {
    throw new Error(
      `a run made ${server.requests.length} model calls and ${toolResults} tool calls, not ${steps + 1} and ${steps}: the stack stopped early, so its time per step means nothing`,
    );
  }
  // steps tool-calling turns plus the final answer turn.
  return { wall: elapsed / (steps + 1), cpu: (cpu.user + cpu.system) / 1000 / (steps + 1) };
}

const stacks: { name: string; agent: Agent }[] = [
  { name: 'bare LangChain createAgent', agent: bareAgent as unknown as Agent },
  { name: 'Herd actor stack', agent: herdStack('unattended') as unknown as Agent },
  { name: 'Herd actor stack without the guard', agent: herdStack('none') as unknown as Agent },
  { name: 'Herd actor stack in an interactive run', agent: herdStack('interactive') as unknown as Agent },
];
// Warm up every stack (JIT, connection pool, the guard's scanners).
for (let round = 0; round < 3; round++) for (const stack of stacks) await timeSteps(stack.agent);
const perStep = stacks.map(() => [] as StepCost[]);
const loads = [loadNow()];
for (let trial = 0; trial < trials; trial++) {
  // Each stack goes first, second, third and last equally often.
  for (let offset = 0; offset < stacks.length; offset++) {
    const index = (trial + offset) % stacks.length;
    perStep[index]!.push(await timeSteps(stacks[index]!.agent));
  }
  if (trial % 10 === 9) loads.push(loadNow());
}
loads.push(loadNow());
await server.close();

const ms = (value: number) => value.toFixed(2);
const load = summarize(loads);
console.log(`loop bench on ${describeMachine()}`);
console.log(
  `${trials} trials of ${steps} steps per stack (${trials * steps * stacks.length} steps), model ${testModels.actor} on a local scripted server; load average ${load.median.toFixed(1)} (${load.min.toFixed(1)}–${load.max.toFixed(1)}) during the trials`,
);
console.log('');
console.log('| stack | wall ms per step, median (min–max) | CPU ms per step, median (min–max) |');
console.log('|---|---|---|');
stacks.forEach((stack, index) => {
  const wall = summarize(perStep[index]!.map((cost) => cost.wall));
  const cpu = summarize(perStep[index]!.map((cost) => cost.cpu));
  console.log(
    `| ${stack.name} | ${ms(wall.median)} (${ms(wall.min)}–${ms(wall.max)}) | ${ms(cpu.median)} (${ms(cpu.min)}–${ms(cpu.max)}) |`,
  );
});
const [bare, herd, unguarded, interactive] = perStep as [StepCost[], StepCost[], StepCost[], StepCost[]];
const differences = (left: StepCost[], right: StepCost[], kind: keyof StepCost) =>
  medianInterval(left.map((value, index) => value[kind] - right[index]![kind]));
const interval = (difference: ReturnType<typeof medianInterval>) =>
  `${ms(difference.median)} ms (${ms(difference.low)} to ${ms(difference.high)})`;
console.log('');
console.log('| paired difference per step | wall, median (95% interval) | CPU, median (95% interval) |');
console.log('|---|---|---|');
const rows: [string, StepCost[], StepCost[]][] = [
  ['Herd − bare (added by Herd)', herd, bare],
  ['Herd − Herd without guard (the guard)', herd, unguarded],
  ['Herd without guard − bare (limits, routing, plan contract, dispatcher)', unguarded, bare],
  ['Herd interactive − bare', interactive, bare],
  ["Herd interactive − Herd (the guard's and the limits' hooks as graph nodes)", interactive, herd],
];
for (const [label, left, right] of rows) {
  console.log(
    `| ${label} | ${interval(differences(left, right, 'wall'))} | ${interval(differences(left, right, 'cpu'))} |`,
  );
}
console.log('');
const added = differences(herd, bare, 'wall');
const verdict =
  added.high <= targetMs
    ? 'met'
    : added.low > targetMs
      ? 'MISSED'
      : 'not resolved (the interval spans the target)';
console.log(
  `Added per step (wall): ${ms(added.median)} ms (95% interval ${ms(added.low)}–${ms(added.high)}); target ≤ ${targetMs} ms: ${verdict}`,
);
if (load.median > 2.5) {
  console.log(
    `The load average (${load.median.toFixed(1)}) was above the machine's 2 cores: every wall figure is stretched by the wait for a core; the CPU column is the cost that waiting does not stretch.`,
  );
}
