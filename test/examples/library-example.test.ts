import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testModels } from '@herd/core/testing';
import type { ScriptedTurn } from '@herd/test-support';
import { useScriptedServer } from '@herd/test-support/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, writeTestConfig } from '../cli/herd-cli.js';
import { createFailingTestRepository, fixPlan } from '../engine/fixture-repository.js';

const exampleDirectory = fileURLToPath(new URL('../../examples/library/', import.meta.url));
/** Each test runs the example once, a whole run through tsx. */
const runTimeout = 90_000;

const server = useScriptedServer();
beforeAll(assertBuilt);

/**
 * Runs the example as its README says (`pnpm start --workspace <dir> "<task>"`, which runs `tsx src/main.ts` with
 * those arguments), on a workspace. `args` replaces the arguments, to pass them as another command line would.
 */
function runExample(
  workspace: string,
  task: string,
  args: string[] = ['--workspace', workspace, task],
): Promise<{ code: number | null; output: string }> {
  const tsx = join(exampleDirectory, 'node_modules/tsx/dist/cli.mjs');
  const child = spawn(process.execPath, [tsx, 'src/main.ts', ...args], {
    cwd: exampleDirectory,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the timer below also stops the node process tsx starts, which shares its pipes.
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  // A run that waits for an approval nobody gives would hang the test; stop it and show what it printed, well
  // before the test's own limit (runTimeout) but late enough for a slow, loaded machine: a whole run through tsx
  // took 23 s on 2 cores shared with other work.
  const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), runTimeout - 10_000);
  // 'close', not 'exit': 'exit' can come before the last output has been read.
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

const fixCall: ScriptedTurn = {
  toolCalls: [
    {
      name: 'edit_file',
      arguments: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
    },
  ],
};

describe('examples/library', { timeout: runTimeout }, () => {
  it('gives the actor the custom zod tool and streams the run to the console', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue(
      [
        { toolCalls: [{ name: 'lookup_ticket', arguments: { id: 'HERD-7' } }] },
        { toolCalls: [{ name: 'lookup_ticket', arguments: { id: 'HERD-99' } }] },
        fixCall,
        { content: 'Fixed add as HERD-7 asks.' },
      ],
      { model: testModels.actor },
    );

    const { code, output } = await runExample(workspace, 'fix the bug described in HERD-7');

    expect(code, output).toBe(0);
    expect(output).toContain('→ lookup_ticket {"id":"HERD-7"}');
    expect(output).toContain('← lookup_ticket ok: HERD-7: add() subtracts');
    expect(output).toContain(
      '← lookup_ticket failed: Error: There is no ticket HERD-99; known tickets: HERD-7.',
    );
    expect(output).toContain('✎ modify src/add.js');
    expect(output).toContain('■ succeeded');
    expect(output).toContain('+  return left + right;');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
  });

  it('takes `pnpm start -- --workspace <dir> "<task>"` as meant: pnpm 10 passes the `--` on to the program', async () => {
    const workspace = createFailingTestRepository();
    writeTestConfig(workspace, server.url);
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue([fixCall, { content: 'Fixed add.' }], { model: testModels.actor });

    const { code, output } = await runExample(workspace, 'fix add', [
      '--',
      '--workspace',
      workspace,
      'fix add',
    ]);

    expect(code, output).toBe(0);
    expect(output.split('\n')).toContain('▶ fix add');
    expect(readFileSync(join(workspace, 'src/add.js'), 'utf8')).toContain('left + right');
  });

  it('blocks tool output naming an internal host, as its custom guard policy says', async () => {
    const workspace = createFailingTestRepository({
      'docs/deploy.md': 'Deploy to db1.corp.example.internal.\n',
    });
    writeTestConfig(workspace, server.url);
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue(
      [
        { toolCalls: [{ name: 'read_file', arguments: { path: 'docs/deploy.md' } }] },
        { content: 'never asked' },
      ],
      { model: testModels.actor },
    );

    const { code, output } = await runExample(workspace, 'fix add');

    expect(code, output).toBe(1);
    expect(output).toMatch(/⚠ guard tool_output patterns block/);
    expect(output).toContain('■ blocked');
    const actorRequests = server.chatRequests().filter((body) => body.model === testModels.actor);
    expect(JSON.stringify(actorRequests)).not.toContain('db1.corp.example.internal');
  });
});
