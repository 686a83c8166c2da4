import { ModelBehaviorError, type Plan, resolveModelRole, type StructuredOutput } from '@herd/core';
import { createChatModelChain } from '@herd/core/models';
import { createTestConfig } from '@herd/core/testing';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestPlan } from '../../src/planner/request-plan.js';

const plan: Plan = {
  summary: 'Make add() handle negative numbers',
  assumptions: ['tests run with npm test'],
  steps: [
    {
      id: 'step-1',
      title: 'Fix add',
      intent: 'Remove the Math.abs call',
      files: [{ path: 'src/add.js', change: 'modify' }],
      commands: [],
      acceptance: 'add(-1, 1) === 0',
    },
  ],
  verification: [['npm', 'test']],
  risks: [],
};

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

function plannerModels(structuredOutput: StructuredOutput) {
  const config = createTestConfig({ baseUrl: server.url, structuredOutput });
  return createChatModelChain({ role: resolveModelRole({ config, role: 'planner', env: {} }), env: {} });
}

const request = (structuredOutput: StructuredOutput) =>
  requestPlan({
    models: plannerModels(structuredOutput),
    structuredOutput,
    task: 'fix add',
    repository: '<repo/>',
  });

describe('requestPlan', () => {
  it('asks for the plan through response_format JSON Schema where the host supports it', async () => {
    server.enqueue({ content: JSON.stringify(plan) });
    const result = await request('json_schema');
    expect(result).toEqual({ plan, attempts: 1 });
    const body = server.chatRequests()[0];
    expect(body?.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'plan' } });
  });

  it('takes the plan from a forced submit_plan tool call', async () => {
    server.enqueue({
      toolCalls: [{ name: 'submit_plan', arguments: plan as unknown as Record<string, unknown> }],
    });
    const result = await request('tool');
    expect(result.plan).toEqual(plan);
    expect(server.chatRequests()[0]?.tool_choice).toEqual({
      type: 'function',
      function: { name: 'submit_plan' },
    });
  });

  it('reads a fenced JSON plan from text when the host has neither', async () => {
    server.enqueue({ content: `Here is the plan:\n\`\`\`json\n${JSON.stringify(plan)}\n\`\`\`` });
    const result = await request('text');
    expect(result.plan).toEqual(plan);
    const prompt = JSON.stringify(server.chatRequests()[0]?.messages);
    expect(prompt).toContain('JSON Schema');
  });

  it('repairs an invalid plan once, showing the model what was wrong', async () => {
    const broken = {
      ...plan,
      steps: [{ ...plan.steps[0], files: [{ path: 'src/add.js', change: 'rewrite' }] }],
    };
    server.enqueue([{ content: JSON.stringify(broken) }, { content: JSON.stringify(plan) }]);
    const result = await request('json_schema');
    expect(result).toEqual({ plan, attempts: 2 });
    const repair = server.chatRequests()[1]?.messages?.at(-1);
    expect(repair?.role).toBe('user');
    expect(String(repair?.content)).toContain('steps[0].files[0].change');
  });

  it('fails clearly when the plan is invalid twice', async () => {
    server.enqueue([
      { content: 'I think we should refactor everything.' },
      { content: '{"summary": "still no steps"}' },
    ]);
    const error = await request('json_schema').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelBehaviorError);
    expect((error as ModelBehaviorError).code).toBe('plan_invalid');
    expect((error as ModelBehaviorError).message).toContain('invalid plan twice');
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('answers a tool-call repair with a tool message for the failed call', async () => {
    server.enqueue([
      { toolCalls: [{ id: 'call_a', name: 'submit_plan', arguments: { summary: 'no steps' } }] },
      {
        toolCalls: [
          { id: 'call_b', name: 'submit_plan', arguments: plan as unknown as Record<string, unknown> },
        ],
      },
    ]);
    const result = await request('tool');
    expect(result.attempts).toBe(2);
    const repair = server.chatRequests()[1]?.messages?.at(-1) as
      | { role: string; tool_call_id?: string }
      | undefined;
    expect(repair).toMatchObject({ role: 'tool', tool_call_id: 'call_a' });
  });

  it('quotes the JSON error of submit_plan arguments that do not parse, and answers the failed call', async () => {
    server.enqueue([
      { toolCalls: [{ id: 'call_a', name: 'submit_plan', arguments: '{"summary": "x", "steps": [' }] },
      {
        toolCalls: [
          { id: 'call_b', name: 'submit_plan', arguments: plan as unknown as Record<string, unknown> },
        ],
      },
    ]);
    const result = await request('tool');
    expect(result.attempts).toBe(2);
    const repair = server.chatRequests()[1]?.messages?.at(-1) as
      | { role: string; tool_call_id?: string; content?: string }
      | undefined;
    expect(repair).toMatchObject({ role: 'tool', tool_call_id: 'call_a' });
    const answered = server.chatRequests()[1]?.messages?.at(-2) as { tool_calls?: Array<{ id: string }> };
    expect(answered.tool_calls?.map((call) => call.id)).toEqual(['call_a']);
    expect(repair?.content).toMatch(
      /^That plan is not valid:\nthe submit_plan arguments are not valid JSON \(.+\)/,
    );
  });
});
