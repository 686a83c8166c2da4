import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HerdEvent } from '@herd/core';
import { createTestConfig, testModels } from '@herd/core/testing';
import { runCi } from '@herd/engine';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createFailingTestRepository, fixPlan } from '../../../../test/engine/fixture-repository.js';

const publishedSchema = fileURLToPath(new URL('../../schema/ci-report.schema.json', import.meta.url));

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

const plan = fixPlan;

describe('runCi', () => {
  it('writes a report that the published JSON Schema accepts, with the blocked deviation in it', async () => {
    const workspace = createFailingTestRepository();
    const base = createTestConfig({ baseUrl: server.url, testCommand: ['node', 'test.js'] });
    const config = { ...base, roles: { planner: base.roles?.planner, actor: base.roles?.actor } };
    server.enqueue({ content: JSON.stringify(plan) }, { model: testModels.planner });
    server.enqueue(
      [
        { toolCalls: [{ name: 'write_file', arguments: { path: 'NOTES.md', content: 'notes\n' } }] },
        {
          toolCalls: [
            {
              name: 'edit_file',
              arguments: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
            },
          ],
        },
        { content: 'Fixed.' },
      ],
      { model: testModels.actor },
    );
    const events: string[] = [];

    const outcome = await runCi({
      task: 'make the test pass',
      workspace,
      config: { config, file: undefined, baseDirectory: workspace },
      env: {},
      onEvent: (event) => events.push(event.type),
    });

    expect(outcome.exitCode).toBe(0);
    expect(events.at(-1)).toBe('run-finish');
    const written: unknown = JSON.parse(readFileSync(outcome.report.outputs.report, 'utf8'));
    const published = z.fromJSONSchema(JSON.parse(readFileSync(publishedSchema, 'utf8')));
    expect(published.safeParse(written).success).toBe(true);
    expect(written).toEqual(outcome.report);
    expect(outcome.report.deviations).toEqual([
      { stepId: 'step-1', kind: 'undeclared_file', detail: 'writing NOTES.md', action: 'block' },
    ]);
    expect(outcome.report.changedFiles).toEqual([{ path: 'src/add.js', change: 'modify' }]);
    expect(outcome.report.usage.modelCalls).toBe(4);
    // Each streamed reply is its own message: the step's summary is the actor's last words, not a tool result.
    expect(outcome.report.steps[0]?.summary).toBe('Fixed.');
    expect(outcome.summary).toContain('- `step-1` undeclared file: writing NOTES.md → block');
  });
});

describe('runCi without a verification command', () => {
  it('says the change is not verified in the report, the summary, the commit and the last event', async () => {
    const workspace = createFailingTestRepository();
    const base = createTestConfig({ baseUrl: server.url });
    const config = { ...base, roles: { planner: base.roles?.planner, actor: base.roles?.actor } };
    server.enqueue({ content: JSON.stringify({ ...plan, verification: [] }) }, { model: testModels.planner });
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
        { content: 'Fixed.' },
      ],
      { model: testModels.actor },
    );
    const events: HerdEvent[] = [];

    const outcome = await runCi({
      task: 'make add add',
      workspace,
      config: { config, file: undefined, baseDirectory: workspace },
      env: {},
      commit: true,
      branch: 'herd/unverified',
      onEvent: (event) => events.push(event),
    });

    expect(outcome.exitCode).toBe(0);
    expect(outcome.report.verification).toBeNull();
    expect(outcome.summary).toContain('## Herd CI: changes made, not verified (no verification ran)');
    expect(events.at(-1)).toMatchObject({ type: 'run-finish', status: 'succeeded', verification: 'not_run' });
    const message = execFileSync('git', ['log', '-1', '--format=%B', 'herd/unverified'], { cwd: workspace });
    expect(message.toString()).toContain('Not verified: no verification command ran.');
  });
});

describe('runCi before the run', () => {
  it('refuses a workspace that does not exist, calling no model', async () => {
    const missing = join(tmpdir(), 'herd-no-such-workspace', 'repo');
    await expect(runCi({ task: 'anything', workspace: missing, env: {} })).rejects.toThrow(
      `The workspace ${missing} is not a directory; pass an existing repository with --workspace.`,
    );
    expect(server.chatRequests()).toHaveLength(0);
  });
});
