import { testModels } from '@herd/core/testing';
import { useScriptedServer } from '@herd/test-support/vitest';
import { describe, expect, it } from 'vitest';
import {
  createFailingTestRepository,
  fixEditCall,
  fixPlan,
  runHerdToEnd,
  scriptedRunConfig,
} from '../engine/fixture-repository.js';

const server = useScriptedServer();

describe('a run that pauses for approval after a tool changed files', () => {
  it('reports the file change when it pauses, not only at the end of the step', async () => {
    const workspace = createFailingTestRepository({ 'scripts/lint.js': "console.log('lint ok');\n" });
    const plan = { ...fixPlan, steps: [{ ...fixPlan.steps[0]!, commands: [['node', 'scripts/lint.js']] }] };
    server.enqueue({ content: JSON.stringify(plan) }, { model: testModels.planner });
    server.enqueue(
      [
        fixEditCall,
        { toolCalls: [{ name: 'run_command', arguments: { argv: ['node', 'scripts/lint.js'] } }] },
      ],
      { model: testModels.actor },
    );
    const { result, events } = await runHerdToEnd({
      workspace,
      env: {},
      autoApprovePlan: true,
      config: scriptedRunConfig({ workspace, baseUrl: server.url }),
      // Nobody answers: the run stops at the command's approval, after the edit.
      resolveApproval: async () => undefined,
    });

    expect(result.status).toBe('awaiting_approval');
    const request = events.findIndex((event) => event.type === 'approval-request');
    const change = events.findIndex((event) => event.type === 'file-change');
    expect(change).toBeGreaterThanOrEqual(0);
    expect(change).toBeLessThan(request);
    expect(events[change]).toMatchObject({ path: 'src/add.js', change: 'modify' });
  }, 120_000);
});
