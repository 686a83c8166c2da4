// Framework overhead per agent step: Herd's actor stack versus a bare LangChain createAgent doing the same steps.
// One step = one model call to a zero-latency local scripted model + one tool call. Herd adds its model routing,
// the plan contract, the guard (cheap local scanners only, no classifiers) and the dispatcher (validation,
// jail, timeout) around the same no-op tool.
//
// Run from the repository root after `pnpm build`:  pnpm bench loop   (BENCH_STEPS=200 BENCH_RUNS=7 to change)
import { cpus } from 'node:os';
import { type HerdEventInput, resolveModelRole } from '@herd/core';
import { createChatModelChain } from '@herd/core/models';
import { createTestConfig, testModels } from '@herd/core/testing';
import { modelRoutingMiddleware, planContractMiddleware } from '@herd/engine';
import { createGuard, guardMiddleware } from '@herd/guard';
import { startScriptedServer } from '@herd/test-support';
import { createToolDispatcher, createToolRegistry, defineTool, toLangChainTools } from '@herd/tools';
import { HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { createAgent } from 'langchain';
import { z } from 'zod';

const steps = Number(process.env.BENCH_STEPS ?? 150);
const runs = Number(process.env.BENCH_RUNS ?? 7);

const server = await startScriptedServer();
let remaining = 0;
server.respondWith(() => {
  if (remaining > 0) {
    remaining--;
    return {
      toolCalls: [{ name: 'noop', arguments: { value: 'x' } }],
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
const guard = createGuard({ policy: 'balanced', mode: 'act', env: {} });
const events: HerdEventInput[] = [];
const emit = (event: HerdEventInput) => {
  events.push(event);
};
const herdAgent = createAgent({
  model: models[0]!,
  tools: herdTools,
  middleware: [
    modelRoutingMiddleware({ role, models, emit }),
    planContractMiddleware({
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
    }),
    guardMiddleware({ guard }),
  ],
});

type Agent = {
  invoke: (input: { messages: HumanMessage[] }, config: { recursionLimit: number }) => Promise<unknown>;
};

async function timeSteps(agent: Agent): Promise<number> {
  remaining = steps;
  events.length = 0;
  const started = performance.now();
  await agent.invoke(
    { messages: [new HumanMessage('call noop until told otherwise')] },
    { recursionLimit: steps * 6 + 20 },
  );
  // steps tool-calling turns plus the final answer turn.
  return (performance.now() - started) / (steps + 1);
}

const median = (values: number[]) =>
  [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)]!;

// Warm up both stacks (JIT, connection pool, tokenizer-free guard scanners).
await timeSteps(bareAgent as unknown as Agent);
await timeSteps(herdAgent as unknown as Agent);
const bare: number[] = [];
const herd: number[] = [];
for (let run = 0; run < runs; run++) {
  // Interleaved so drift on a shared machine affects both alike.
  bare.push(await timeSteps(bareAgent as unknown as Agent));
  herd.push(await timeSteps(herdAgent as unknown as Agent));
}
await server.close();

const bareMedian = median(bare);
const herdMedian = median(herd);
const overhead = herdMedian - bareMedian;
console.log(
  `loop bench on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), Node ${process.version}`,
);
console.log(`${steps} steps per run, ${runs} runs, model ${testModels.actor} on a local scripted server`);
console.log('');
console.log('| stack | median ms per step | runs (ms per step) |');
console.log('|---|---|---|');
console.log(
  `| bare LangChain createAgent | ${bareMedian.toFixed(3)} | ${bare.map((value) => value.toFixed(2)).join(', ')} |`,
);
console.log(
  `| Herd actor stack | ${herdMedian.toFixed(3)} | ${herd.map((value) => value.toFixed(2)).join(', ')} |`,
);
console.log('');
console.log(
  `Herd / bare: ${(herdMedian / bareMedian).toFixed(2)}x; added overhead ${overhead.toFixed(3)} ms per step (target ≤ 2 ms): ${overhead <= 2 ? 'met' : 'MISSED'}`,
);
