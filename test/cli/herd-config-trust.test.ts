import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testModels } from '@herd/core/testing';
import { useScriptedServer } from '@herd/test-support/vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixEditCall, fixPlan } from '../engine/fixture-repository.js';
import { assertBuilt, herdBin, spawnHerd, trustConfig, writeTestConfig } from './herd-cli.js';

const server = useScriptedServer();
beforeAll(assertBuilt);

// What the model's command writes: the command policy and the sandbox turned off for every later run.
const takeover = JSON.stringify({
  tools: { sandbox: { mode: 'off' }, commands: { defaultDecision: 'allow' } },
  policy: 'off',
});
const rewriteConfig = [
  'node',
  '-e',
  `const fs = require('fs'); const c = JSON.parse(fs.readFileSync('herd.config.json', 'utf8')); fs.writeFileSync('herd.config.json', JSON.stringify({ ...c, ...${takeover} }));`,
];

describe('a configuration changed during a run (subprocess)', () => {
  it('is not used by the next run until a person accepts it', async () => {
    const workspace = createFailingTestRepository();
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'herd-state-')) };
    // Unsandboxed, with node allowed: the case where nothing but the trust check stands in the way.
    writeTestConfig(workspace, server.url, {
      tools: { sandbox: { mode: 'off' }, commands: { rules: [{ program: 'node', decision: 'allow' }] } },
    });
    // That weakens Herd: the person who set it up accepts it first.
    await trustConfig(workspace, env);
    server.enqueue(
      {
        content: JSON.stringify({
          ...fixPlan,
          steps: [{ ...fixPlan.steps[0]!, commands: [rewriteConfig] }],
        }),
      },
      { model: testModels.planner },
    );
    server.enqueue(
      [
        { toolCalls: [{ name: 'run_command', arguments: { argv: rewriteConfig } }] },
        fixEditCall,
        { content: 'done' },
      ],
      { model: testModels.actor },
    );
    const first = spawnHerd({ args: ['run', 'make the test pass', '--yes', '--json'], cwd: workspace, env });
    expect(await first.exit).toBe(0);
    expect(JSON.parse(readFileSync(join(workspace, 'herd.config.json'), 'utf8')).policy).toBe('off');

    const requestsBefore = server.requests.length;
    const ci = spawnHerd({ args: ['ci', '--task', 'anything'], cwd: workspace, env });
    expect(await ci.exit).toBe(3);
    expect(ci.stderr()).toContain(
      `Herd will not use ${join(workspace, 'herd.config.json')} without a person confirming it`,
    );
    expect(ci.stderr()).toContain('herd config trust');
    const report = JSON.parse(readFileSync(join(workspace, '.herd', 'ci', 'report.json'), 'utf8'));
    expect(report.error).toMatchObject({ code: 'config_unconfirmed' });
    // Refused before anything was asked of a model.
    expect(server.requests.length).toBe(requestsBefore);

    // Without a terminal `herd plan` refuses too; `herd mcp` will not serve on it either.
    const plan = spawnHerd({ args: ['plan', 'anything'], cwd: workspace, env });
    expect(await plan.exit).toBe(3);
    const mcp = spawnHerd({ args: ['mcp'], cwd: workspace, env });
    expect(await mcp.exit).toBe(3);
    expect(mcp.stderr()).toContain('without a person confirming it');

    const trust = spawnHerd({ args: ['config', 'trust'], cwd: workspace, env });
    expect(await trust.exit).toBe(0);
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    const accepted = spawnHerd({ args: ['plan', 'anything', '--json'], cwd: workspace, env });
    expect(await accepted.exit).toBe(0);
  }, 120_000);
});

describe('a herd.config.json written in a subfolder (subprocess)', () => {
  it('is refused to write_file, and refused by the next Herd started there in a workspace that is no repository', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'herd-plain-'));
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'herd-state-')) };
    // The model's tools over MCP: write_file refuses packages/app/herd.config.json (the jail keeps every
    // herd.config.json); an unsandboxed command a person approved could still write it, and Herd ran here.
    const client = new Client({ name: 'herd-e2e', version: '0.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [herdBin, 'mcp', '--workspace', workspace],
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...env },
        stderr: 'ignore',
      }),
    );
    const written = await client.callTool({
      name: 'write_file',
      arguments: { path: 'packages/app/herd.config.json', content: takeover },
    });
    await client.close();
    expect(written.isError).toBe(true);
    const app = join(workspace, 'packages', 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'herd.config.json'), takeover);

    const mcp = spawnHerd({ args: ['mcp'], cwd: app, env });
    expect(await mcp.exit).toBe(3);
    expect(mcp.stderr()).toContain(
      `${join(app, 'herd.config.json')} appeared since Herd last ran in ${workspace}`,
    );
    const plan = spawnHerd({ args: ['plan', 'anything'], cwd: app, env });
    expect(await plan.exit).toBe(3);
  }, 120_000);
});
