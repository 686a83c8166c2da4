import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testModels } from '@herd/core/testing';
import { CiReportSchema } from '@herd/engine';
import { useScriptedServer } from '@herd/test-support/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnHerd, writeTestConfig } from '../cli/herd-cli.js';
import { createFailingTestRepository, fixEditCall, fixPlan } from '../engine/fixture-repository.js';

const server = useScriptedServer();
beforeAll(assertBuilt);

const plan = {
  ...fixPlan,
  steps: [
    {
      ...fixPlan.steps[0]!,
      commands: [
        ['node', 'test.js'],
        ['node', 'scripts/lint.js'],
      ],
    },
  ],
};
const run = (argv: string[]) => ({ toolCalls: [{ name: 'run_command', arguments: { argv } }] });

/** The text of the tool results the actor was sent, in order. */
const toolResults = () =>
  server
    .chatRequests()
    .filter((body) => body.model === testModels.actor)
    .at(-1)!
    .messages!.filter((message) => message.role === 'tool')
    .map((message) => String(message.content));

describe('herd ci and the repository test command', () => {
  it("runs the plan's run.testCommand for the actor without asking, and lists the commands it refused", async () => {
    const workspace = createFailingTestRepository({ 'scripts/lint.js': "console.log('lint ok');\n" });
    writeTestConfig(workspace, server.url);
    server.enqueue({ content: JSON.stringify(plan) }, { model: testModels.planner });
    server.enqueue(
      [
        run(['node', 'test.js']),
        run(['node', 'scripts/lint.js']),
        fixEditCall,
        run(['node', 'test.js']),
        { content: 'Fixed add; lint needs a person.' },
      ],
      { model: testModels.actor },
    );
    const herd = spawnHerd({
      args: ['ci', '--task', 'make the failing test pass', '--json'],
      cwd: workspace,
    });
    expect(await herd.exit).toBe(0);

    const [failing, lint, , passing] = toolResults();
    // The test command ran during the step (under the sandbox), first failing, then passing.
    expect(failing).toContain('add(2, 3) returned -1 expected 5');
    expect(passing).toContain('ok');
    expect(lint).toContain('no approval can come');
    expect(lint).not.toMatch(/wait for approval/i);
    const report = CiReportSchema.parse(
      JSON.parse(readFileSync(join(workspace, '.herd/ci/report.json'), 'utf8')),
    );
    expect(report.refusedCommands).toEqual([
      {
        stepId: 'step-1',
        argv: ['node', 'scripts/lint.js'],
        code: 'approval_required',
        reason: expect.stringContaining('no approval can come'),
      },
    ]);
    const summary = readFileSync(report.outputs.summary, 'utf8');
    expect(summary).toContain('### Refused commands');
    expect(summary).toContain('`node scripts/lint.js`: needs an approval nobody can give in CI');
  }, 120_000);
});

describe('herd ci report of a fix attempt', () => {
  it('says that verification failed before the fix attempt that made it pass, with one line of the failure', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    const edit = (search: string, replace: string) => ({
      toolCalls: [{ name: 'edit_file', arguments: { path: 'src/add.js', edits: [{ search, replace }] } }],
    });
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue(
      [
        edit('left - right', 'left * right'),
        { content: 'done' },
        edit('left * right', 'left + right'),
        { content: 'fixed' },
      ],
      { model: testModels.actor },
    );
    const herd = spawnHerd({ args: ['ci', '--task', 'make the failing test pass'], cwd: workspace });
    expect(await herd.exit).toBe(0);

    const report = CiReportSchema.parse(
      JSON.parse(readFileSync(join(workspace, '.herd/ci/report.json'), 'utf8')),
    );
    expect(report.steps).toEqual([
      expect.objectContaining({ id: 'step-1', status: 'done' }),
      expect.objectContaining({
        id: 'fix-1',
        status: 'done',
        fix: { attempt: 1, failure: 'node test.js: add(2, 3) returned 6 expected 5' },
      }),
    ]);
    expect(readFileSync(report.outputs.summary, 'utf8')).toContain(
      '(after verification failed: node test.js: add(2, 3) returned 6 expected 5)',
    );
  }, 120_000);
});
