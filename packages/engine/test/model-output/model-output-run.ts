import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HerdEvent, StructuredOutput, ToolCalling } from '@herd/core';
import { createTestConfig, testModels } from '@herd/core/testing';
import { type CiRunOutcome, runCi } from '@herd/engine';
import type { ScriptedServer, ScriptedTurn } from '@herd/test-support';
import { createFailingTestRepository } from '../../../../test/engine/fixture-repository.js';

/** A valid plan for {@link createFailingTestRepository}. */
export const validPlan = {
  summary: 'Make add() add.',
  steps: [
    {
      id: 'step-1',
      title: 'Fix add',
      intent: 'Replace the subtraction with an addition.',
      files: [{ path: 'src/add.js', change: 'modify' }],
      acceptance: 'add(2, 3) returns 5',
    },
  ],
  verification: [['node', 'test.js']],
};

/** The actor's call that fixes the repository. */
export const fixCall: ScriptedTurn = {
  toolCalls: [
    {
      name: 'edit_file',
      arguments: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
    },
  ],
};

/** What a whole CI run did: its outcome, its events, and the fixed file's content afterwards. */
export interface ModelOutputRun extends CiRunOutcome {
  events: HerdEvent[];
  /** `src/add.js` after the run. */
  addSource: string;
  workspace: string;
}

/**
 * Runs `herd ci` on {@link createFailingTestRepository} against the scripted server, with the planner's and the actor's
 * turns queued for their own model ids.
 */
export async function runWithModelOutput(options: {
  server: ScriptedServer;
  planner: ScriptedTurn[];
  actor?: ScriptedTurn[];
  toolCalling?: ToolCalling;
  structuredOutput?: StructuredOutput;
  toolCallsPerStep?: number;
  /** `run.limits.steps`. */
  steps?: number;
}): Promise<ModelOutputRun> {
  const workspace = createFailingTestRepository();
  const base = createTestConfig({
    baseUrl: options.server.url,
    testCommand: ['node', 'test.js'],
    ...(options.toolCalling ? { toolCalling: options.toolCalling } : {}),
    ...(options.structuredOutput ? { structuredOutput: options.structuredOutput } : {}),
  });
  const config = {
    ...base,
    roles: { planner: base.roles?.planner, actor: base.roles?.actor },
    run: {
      ...base.run,
      limits: {
        ...(options.toolCallsPerStep ? { toolCallsPerStep: options.toolCallsPerStep } : {}),
        ...(options.steps ? { steps: options.steps } : {}),
      },
    },
  };
  options.server.enqueue(options.planner, { model: testModels.planner });
  if (options.actor) options.server.enqueue(options.actor, { model: testModels.actor });
  const events: HerdEvent[] = [];
  const outcome = await runCi({
    task: 'make the test pass',
    workspace,
    config: { config, file: undefined, baseDirectory: workspace },
    env: {},
    onEvent: (event) => events.push(event),
  });
  return { ...outcome, events, workspace, addSource: readFileSync(join(workspace, 'src/add.js'), 'utf8') };
}

/** The events of one type. */
export const ofType = <TType extends HerdEvent['type']>(events: HerdEvent[], type: TType) =>
  events.filter((event): event is Extract<HerdEvent, { type: TType }> => event.type === type);
