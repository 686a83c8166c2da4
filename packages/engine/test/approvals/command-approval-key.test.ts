import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HerdEvent } from '@herd/core';
import { testModels } from '@herd/core/testing';
import { createHerd } from '@herd/engine';
import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFailingTestRepository,
  fixEditCall,
  fixPlan,
  scriptedRunConfig,
} from '../../../../test/engine/fixture-repository.js';

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

const runCommand = (argv: string[], extra: Record<string, unknown> = {}) => ({
  toolCalls: [{ name: 'run_command', arguments: { argv, ...extra } }],
});

/** Runs the fixture's fix with the actor's extra calls first; a person answers "always" to the first command only. */
async function runWithAlwaysForFirstCommand(workspace: string, calls: ReturnType<typeof runCommand>[]) {
  server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
  server.enqueue([...calls, fixEditCall, { content: 'done' }], { model: testModels.actor });
  const asked: string[] = [];
  const details: string[] = [];
  const herd = createHerd({
    workspace,
    config: scriptedRunConfig({ workspace, baseUrl: server.url }),
    env: {},
    autoApprovePlan: true,
    resolveApproval: async (request) => {
      if (request.kind !== 'command') return 'allow_once';
      asked.push(request.title);
      details.push(request.detail ?? '');
      return asked.length === 1 ? 'allow_always' : 'reject';
    },
  });
  const run = herd.run('make the failing test pass');
  const events: HerdEvent[] = [];
  for await (const event of run) events.push(event);
  await run.result;
  await herd.close();
  return { asked, details, events };
}

describe('"allow always" for a command, and what the question shows', () => {
  it('allows that command again, not every other command no rule names', async () => {
    const workspace = createFailingTestRepository();
    const { asked } = await runWithAlwaysForFirstCommand(workspace, [
      runCommand(['node', '--version']),
      // Falls to the same `default` rule as `node --version`.
      runCommand(['node', '-e', 'require("fs").writeFileSync("pwned", "x")']),
      runCommand(['node', '--version']),
    ]);
    expect(asked).toEqual([
      'Run `node --version`?',
      'Run `node -e \'require("fs").writeFileSync("pwned", "x")\'`?',
    ]);
    expect(existsSync(join(workspace, 'pwned'))).toBe(false);
  }, 120_000);

  it('does not carry over to the same argv with other standard input', async () => {
    const workspace = createFailingTestRepository();
    const { asked, details } = await runWithAlwaysForFirstCommand(workspace, [
      runCommand(['node'], { stdin: 'console.log(1)' }),
      runCommand(['node'], { stdin: "require('fs').writeFileSync('pwned', 'x')" }),
    ]);
    expect(asked).toEqual([
      'Run `node` with the standard input below?',
      'Run `node` with the standard input below?',
    ]);
    // What node would run is in the question, not only its name.
    expect(details[1]).toContain("Standard input (41 bytes):\nrequire('fs').writeFileSync('pwned', 'x')");
    expect(existsSync(join(workspace, 'pwned'))).toBe(false);
  }, 120_000);

  it('a plan a person approved naming `node` does not approve `node` with a script on standard input', async () => {
    const workspace = createFailingTestRepository();
    const plan = { ...fixPlan, steps: [{ ...fixPlan.steps[0]!, commands: [['node']] }] };
    server.enqueue({ content: JSON.stringify(plan) }, { model: testModels.planner });
    server.enqueue(
      [
        runCommand(['node'], { stdin: "require('fs').writeFileSync('pwned', 'x')" }),
        fixEditCall,
        { content: 'done' },
      ],
      { model: testModels.actor },
    );
    const asked: string[] = [];
    const herd = createHerd({
      workspace,
      config: scriptedRunConfig({ workspace, baseUrl: server.url }),
      env: {},
      resolveApproval: async (request) => {
        asked.push(request.kind);
        return request.kind === 'command' ? 'reject' : 'allow_once';
      },
    });
    await herd.run('make the failing test pass').result;
    await herd.close();
    expect(asked).toEqual(['plan', 'command']);
    expect(existsSync(join(workspace, 'pwned'))).toBe(false);
  }, 120_000);
});
