import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testModels } from '@herd/core/testing';
import { useScriptedServer } from '@herd/test-support/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFailingTestRepository, enqueueFixScenario, fixPlan } from '../engine/fixture-repository.js';
import { assertBuilt, spawnHerd, writeTestConfig } from './herd-cli.js';

const server = useScriptedServer();
beforeAll(assertBuilt);

const twoStepPlan = {
  ...fixPlan,
  steps: [
    fixPlan.steps[0]!,
    {
      id: 'step-2',
      title: 'Document add',
      intent: 'Mention add in the README.',
      files: [{ path: 'README.md', change: 'modify' as const }],
      commands: [],
      acceptance: 'README mentions add',
    },
  ],
};

describe('herd run (subprocess)', () => {
  it('stops with one clear message and exit code 3 when no model endpoint is configured', async () => {
    const workspace = createFailingTestRepository();
    const herd = spawnHerd({ args: ['run', 'fix it'], cwd: workspace });
    expect(await herd.exit).toBe(3);
    expect(herd.stderr()).toContain('No model endpoint is configured');
    expect(herd.stderr()).not.toMatch(/\n\s+at /);
    // The message is all it prints: no "failed in 0.1 s" summary of a run that never started.
    expect(herd.stderr().trim().split('\n')).toHaveLength(1);
    expect(herd.stdout().trim()).toBe('');
  });

  it('runs plan → act → verify and streams NDJSON events', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    enqueueFixScenario({
      server,
      plannerModel: testModels.planner,
      actorModel: testModels.actor,
      summary: 'done',
    });
    const herd = spawnHerd({ args: ['run', 'make the test pass', '--yes', '--json'], cwd: workspace });
    expect(await herd.exit).toBe(0);
    expect(herd.events.at(-1)).toMatchObject({ type: 'run-finish', status: 'succeeded' });
    expect(herd.events.some((event) => event.type === 'file-change')).toBe(true);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'stops on %s with exit code 130, says how to resume, and releases the workspace',
    async (signal) => {
      const workspace = createFailingTestRepository();
      writeTestConfig(workspace, server.url);
      server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
      server.enqueue({ fault: 'stall', ms: 60_000 }, { model: testModels.actor });
      const run = spawnHerd({ args: ['run', 'fix it', '--yes', '--json'], cwd: workspace });
      await run.waitFor((event) => event.type === 'step-start');
      run.child.kill(signal);

      expect(await run.exit).toBe(130);
      const sessionId = run.events[0]?.runId as string;
      expect(run.events.filter((event) => event.type === 'error')).toEqual([]);
      expect(run.events).toContainEqual(
        expect.objectContaining({
          type: 'warning',
          code: 'run_cancelled',
          message: expect.stringContaining(`herd resume ${sessionId}`),
        }),
      );
      expect(run.events.at(-1)).toMatchObject({ type: 'run-finish', status: 'cancelled' });
      expect(existsSync(join(workspace, '.herd', 'run.lock'))).toBe(false);
    },
  );

  it('resumes after SIGKILL in the middle of acting without redoing the finished step', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    server.enqueue({ content: JSON.stringify(twoStepPlan) }, { model: testModels.planner });
    server.enqueue(
      [
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
            },
          ],
        },
        { content: 'step 1 done' },
        { fault: 'stall', ms: 60_000 },
      ],
      { model: testModels.actor },
    );
    const first = spawnHerd({ args: ['run', 'fix and document', '--yes', '--json'], cwd: workspace });
    await first.waitFor((event) => event.type === 'step-start' && event.stepId === 'step-2');
    while (server.pendingTurns() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    expect(await first.exit).toBe('SIGKILL');
    const sessionId = first.events[0]?.runId as string;
    const listing = spawnHerd({ args: ['sessions'], cwd: workspace });
    expect(await listing.exit).toBe(0);
    expect(listing.stdout()).toMatch(new RegExp(`${sessionId}\\s+interrupted`));

    server.enqueue(
      [
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments: {
                path: 'README.md',
                edits: [{ search: 'Adds numbers.', replace: 'Adds numbers with add().' }],
              },
            },
          ],
        },
        { content: 'step 2 done' },
      ],
      { model: testModels.actor },
    );
    const second = spawnHerd({ args: ['resume', sessionId, '--json'], cwd: workspace });
    expect(await second.exit).toBe(0);
    expect(second.events.at(-1)).toMatchObject({ type: 'run-finish', status: 'succeeded' });
    const restarted = second.events
      .filter((event) => event.type === 'step-start')
      .map((event) => event.stepId);
    expect(restarted).toEqual(['step-2']);
    expect(second.events.some((event) => event.type === 'plan-propose')).toBe(false);
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toContain('add()');
    const step1Requests = server
      .chatRequests()
      .filter((body) => JSON.stringify(body.messages).includes('Your step: step-1'));
    expect(step1Requests).toHaveLength(2);
  });
});
