import { testModels } from '@herd/core/testing';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixCall, ofType, runWithModelOutput, validPlan } from './model-output-run.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

const planText = JSON.stringify(validPlan);
const fixTurns = [fixCall, { content: 'Fixed.' }];
const step = validPlan.steps[0]!;

/** The text of the repair message the planner was sent on its second call. */
function repairRequest(): string {
  const second = server.chatRequests().filter((body) => body.model === testModels.planner)[1];
  return String(second?.messages?.at(-1)?.content ?? '');
}

describe('a planner reply that is not a usable plan', () => {
  it('fails after one repair turn with plan_invalid when the reply holds no JSON, and changes nothing', async () => {
    const run = await runWithModelOutput({
      server,
      planner: [{ content: 'Sure, I will fix add.' }, { content: 'Done planning!' }],
      actor: fixTurns,
    });
    expect(repairRequest()).toContain('the reply contains no JSON object');
    expect(run.exitCode).toBe(3);
    expect(run.report.status).toBe('failed');
    expect(run.report.error).toMatchObject({ code: 'plan_invalid', blame: 'model' });
    expect(run.report.reason).toContain('the reply contains no JSON object');
    expect(server.chatRequests().some((body) => body.model === testModels.actor)).toBe(false);
    expect(run.addSource).toContain('left - right');
  });

  it('fails the same way on two empty replies', async () => {
    const run = await runWithModelOutput({ server, planner: [{ content: '' }, { content: '' }] });
    expect(run.report.error).toMatchObject({ code: 'plan_invalid' });
    expect(run.exitCode).toBe(3);
  });

  it('takes the plan from a ```json fence with prose around it, without a repair turn', async () => {
    const run = await runWithModelOutput({
      server,
      planner: [{ content: `Here is the plan:\n\`\`\`json\n${planText}\n\`\`\`\nLet me know.` }],
      actor: fixTurns,
    });
    expect(run.exitCode).toBe(0);
    expect(server.chatRequests().filter((body) => body.model === testModels.planner)).toHaveLength(1);
  });

  it('reads a plan with comments and trailing commas as written, without a repair turn', async () => {
    const loose = planText.replace('{"summary"', "{\n// the plan\n'summary'").replace(/\]\}$/, '],}');
    const run = await runWithModelOutput({ server, planner: [{ content: loose }], actor: fixTurns });
    expect(server.chatRequests().filter((body) => body.model === testModels.planner)).toHaveLength(1);
    expect(run.exitCode).toBe(0);
  });

  it('quotes the JSON syntax error of a plan that is not even JSON5 in the repair turn', async () => {
    const broken = planText.replace('"summary":', '"summary" =');
    const run = await runWithModelOutput({
      server,
      planner: [{ content: broken }, { content: planText }],
      actor: fixTurns,
    });
    expect(repairRequest()).toMatch(/^That plan is not valid:\nthe JSON does not parse: .+/);
    expect(run.exitCode).toBe(0);
  });

  it('names the missing fields in the repair turn', async () => {
    const run = await runWithModelOutput({
      server,
      planner: [
        { content: JSON.stringify({ summary: 'x', steps: [{ id: 'step-1' }] }) },
        { content: planText },
      ],
      actor: fixTurns,
    });
    expect(repairRequest()).toContain('steps[0].title');
    expect(repairRequest()).toContain('steps[0].acceptance');
    expect(run.exitCode).toBe(0);
  });

  it('refuses a plan with no steps twice with plan_invalid', async () => {
    const empty = JSON.stringify({ ...validPlan, steps: [] });
    const run = await runWithModelOutput({ server, planner: [{ content: empty }, { content: empty }] });
    expect(repairRequest()).toContain('→ at steps');
    expect(run.report.error).toMatchObject({ code: 'plan_invalid' });
  });

  it('asks again when two steps share an id, and acts on the corrected plan only', async () => {
    const run = await runWithModelOutput({
      server,
      planner: [{ content: JSON.stringify({ ...validPlan, steps: [step, step] }) }, { content: planText }],
      actor: fixTurns,
    });
    expect(repairRequest()).toContain('steps.1.id "step-1" is used by an earlier step');
    expect(run.exitCode).toBe(0);
    expect(run.report.steps.map((reported) => reported.id)).toEqual(['step-1']);
  });

  it('refuses a plan naming files outside the workspace or inside .git, naming each path', async () => {
    const files = [
      { path: '../x', change: 'create' },
      { path: '/etc/passwd', change: 'modify' },
      { path: 'src/../../y', change: 'create' },
      { path: '.git/config', change: 'modify' },
    ];
    const escaping = JSON.stringify({ ...validPlan, steps: [{ ...step, files }] });
    const run = await runWithModelOutput({ server, planner: [{ content: escaping }, { content: escaping }] });
    expect(repairRequest().split('\n').slice(1, 5)).toEqual([
      'steps.0.files.0.path "../x" is outside the repository; list only files inside it, relative to its root',
      'steps.0.files.1.path "/etc/passwd" is absolute; write paths relative to the repository root',
      'steps.0.files.2.path "src/../../y" is outside the repository; list only files inside it, relative to its root',
      'steps.0.files.3.path ".git/config" is inside .git, which Herd never changes; list working-tree files only',
    ]);
    expect(run.exitCode).toBe(3);
    expect(run.report.error).toMatchObject({ code: 'plan_invalid' });
    expect(run.report.reason).toContain('"../x" is outside the repository');
    expect(ofType(run.events, 'plan-propose')).toEqual([]);
  });

  it('asks for fewer steps when the plan has thousands', async () => {
    const steps = Array.from({ length: 3_000 }, (_, index) => ({ ...step, id: `step-${index + 1}` }));
    const run = await runWithModelOutput({
      server,
      planner: [
        { content: JSON.stringify({ ...validPlan, steps }), chunkSize: 50_000 },
        { content: planText },
      ],
      actor: fixTurns,
    });
    expect(repairRequest()).toContain('the plan has 3000 steps, more than the 40 a run may take');
    expect(run.exitCode).toBe(0);
    expect(run.report.plan?.steps).toHaveLength(1);
  });

  it('asks for a plan that fits run.limits.steps, so the run does not stop at the limit partway', async () => {
    const steps = [1, 2, 3].map((index) => ({ ...step, id: `step-${index}` }));
    const run = await runWithModelOutput({
      server,
      steps: 2,
      planner: [{ content: JSON.stringify({ ...validPlan, steps }) }, { content: planText }],
      actor: fixTurns,
    });
    expect(repairRequest()).toContain('the plan has 3 steps, more than the 2 a run may take');
    expect(run.exitCode).toBe(0);
  });

  it('asks for a shorter plan when its summary is far too long', async () => {
    const long = JSON.stringify({ ...validPlan, summary: 'word '.repeat(40_000) });
    const run = await runWithModelOutput({
      server,
      planner: [{ content: long, chunkSize: 50_000 }, { content: planText }],
      actor: fixTurns,
    });
    expect(repairRequest()).toMatch(/the plan is \d+ characters long, more than 100000/);
    expect(run.report.plan?.summary).toBe(validPlan.summary);
  });

  it('says the reply was cut off when the host stopped it at the output limit', async () => {
    const run = await runWithModelOutput({
      server,
      planner: [{ content: planText.slice(0, 80), finishReason: 'length' }, { content: planText }],
      actor: fixTurns,
    });
    expect(repairRequest()).toContain(
      'the reply was cut off at the output token limit (finish_reason "length")',
    );
    expect(run.exitCode).toBe(0);
  });
});
