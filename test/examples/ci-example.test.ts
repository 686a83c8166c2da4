import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testModels } from '@herd/core/testing';
import { type CiReport, CiReportSchema, githubOutputsOf } from '@herd/engine';
import { defaultModelCacheDirectory } from '@herd/guard';
import { useScriptedServer } from '@herd/test-support/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, herdBin, writeTestConfig } from '../cli/herd-cli.js';
import { createFailingTestRepository, enqueueFixScenario, fixPlan } from '../engine/fixture-repository.js';

const examples = fileURLToPath(new URL('../../examples/ci/', import.meta.url));

const server = useScriptedServer();
let binDirectory: string;
beforeAll(() => {
  assertBuilt();
  // `herd` on the PATH, as `npm install --global @herd/engine` would put it.
  binDirectory = mkdtempSync(join(tmpdir(), 'herd-bin-'));
  writeFileSync(join(binDirectory, 'herd'), `#!/bin/sh\nexec "${process.execPath}" "${herdBin}" "$@"\n`);
  chmodSync(join(binDirectory, 'herd'), 0o755);
});

function runScript(
  workspace: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn('sh', [join(examples, 'run-herd-ci.sh'), ...args], {
    cwd: workspace,
    env: { PATH: `${binDirectory}:${process.env.PATH}`, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('examples/ci/run-herd-ci.sh', () => {
  it('commits a verified change on the branch it is given and exits 0', async () => {
    const workspace = createFailingTestRepository({ 'issue.md': 'Make the failing test pass.\n' });
    writeTestConfig(workspace, server.url);
    enqueueFixScenario({
      server,
      plannerModel: testModels.planner,
      actorModel: testModels.actor,
      summary: 'done',
    });

    const { code, output } = await runScript(workspace, ['issue.md', 'herd/issue-12']);

    expect(code, output).toBe(0);
    expect(output).toContain('the change is committed on herd/issue-12');
    const show = execFileSync('git', ['show', 'herd/issue-12:src/add.js'], {
      cwd: workspace,
      encoding: 'utf8',
    });
    expect(show).toContain('left + right');
    const report = CiReportSchema.parse(
      JSON.parse(readFileSync(join(workspace, '.herd/ci/report.json'), 'utf8')),
    );
    expect(report.commit?.branch).toBe('herd/issue-12');
  });

  it('passes the exit code of herd ci on and says where to look when verification fails', async () => {
    const workspace = createFailingTestRepository({ 'issue.md': 'Make the failing test pass.\n' });
    writeTestConfig(workspace, server.url, { run: { maxFixAttempts: 0, maxReplans: 0 } });
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue({ content: 'nothing to do' }, { model: testModels.actor });

    const { code, output } = await runScript(workspace, ['issue.md']);

    expect(code, output).toBe(1);
    expect(output).toContain('herd-ci: verification failed; see .herd/ci/summary.md');
    expect(execFileSync('git', ['branch', '--list', 'herd/*'], { cwd: workspace, encoding: 'utf8' })).toBe(
      '',
    );
  });
});

describe('examples/ci/run-herd-ci.sh and a configuration that loosens Herd', () => {
  it('is refused with exit 3, and runs once HERD_CI_TRUST_WORKSPACE_CONFIG=1 says the checkout is yours', async () => {
    const workspace = createFailingTestRepository({ 'issue.md': 'Make the failing test pass.\n' });
    writeTestConfig(workspace, server.url, {
      tools: { commands: { rules: [{ program: 'node', decision: 'allow' }] } },
    });
    const state = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'herd-state-')) };
    const refused = await runScript(workspace, ['issue.md'], state);
    expect(refused.code, refused.output).toBe(3);
    expect(refused.output).toContain('tools.commands.rules.0: runs `node` without asking');
    expect(server.chatRequests()).toEqual([]);

    enqueueFixScenario({ server, plannerModel: testModels.planner, actorModel: testModels.actor });
    const trusted = await runScript(workspace, ['issue.md', 'herd/issue-14'], {
      ...state,
      HERD_CI_TRUST_WORKSPACE_CONFIG: '1',
    });
    expect(trusted.code, trusted.output).toBe(0);
  });
});

describe('examples/ci/run-herd-ci.sh when nothing needed changing', () => {
  it('exits 0, says so, and pushes nothing even when asked to push', async () => {
    const workspace = createFailingTestRepository({
      'issue.md': 'Check that add adds.\n',
      'src/add.js': 'export function add(left, right) {\n  return left + right;\n}\n',
    });
    writeTestConfig(workspace, server.url);
    server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
    server.enqueue({ content: 'add already adds' }, { model: testModels.actor });

    const { code, output } = await runScript(workspace, ['issue.md', 'herd/issue-13'], { HERD_CI_PUSH: '1' });

    expect(code, output).toBe(0);
    expect(output).toContain('herd-ci: succeeded without changing anything');
  });
});

/** A report as herd ci writes it, for what does not depend on a run. */
const sampleReport: CiReport = {
  schemaVersion: 1,
  herdVersion: '0.1.0',
  sessionId: 'session-1',
  task: 'fix it',
  workspace: '/repo',
  status: 'succeeded',
  exitCode: 0,
  reason: null,
  startedAt: '2026-01-01T10:00:00.000Z',
  finishedAt: '2026-01-01T10:00:01.000Z',
  durationMs: 1000,
  planId: null,
  plan: null,
  steps: [],
  verification: null,
  guard: { classifiers: [] },
  guardVerdicts: [],
  deviations: [],
  changedFiles: [],
  usage: { byRole: {}, modelCalls: 0, totalTokens: 0 },
  error: null,
  outputs: { patch: '/p', summary: '/s', report: '/r' },
  commit: null,
};

describe('examples/ci/github/herd-ci.yml', () => {
  it('reads only step outputs that herd ci writes', () => {
    const workflow = readFileSync(join(examples, 'github/herd-ci.yml'), 'utf8');
    const read = [...workflow.matchAll(/steps\.herd\.outputs\.([\w-]+)/g)].map((match) => match[1]);
    expect(read.length).toBeGreaterThan(0);
    const written = Object.keys(githubOutputsOf(sampleReport));
    for (const name of read) expect(written).toContain(name);
  });

  it('uses only options that herd ci has, and the outputs where herd ci writes them', () => {
    const workflow = readFileSync(join(examples, 'github/herd-ci.yml'), 'utf8');
    const help = execFileSync(process.execPath, [herdBin, 'ci', '--help'], { encoding: 'utf8' });
    const invocations = workflow.split('\n').filter((line) => /^\s*herd ci\b/.test(line));
    expect(invocations.length).toBeGreaterThan(0);
    for (const option of invocations.join(' ').match(/--[a-z-]+/g) ?? []) expect(help).toContain(option);
    expect(workflow).toContain('.herd/ci/summary.md');
    expect(workflow).toContain('HERD_TASK:');
  });

  it('trusts the workspace configuration only where it checks out the default branch', () => {
    const workflow = readFileSync(join(examples, 'github/herd-ci.yml'), 'utf8');
    expect(workflow).toMatch(/^\s+issues:\n\s+types: \[labeled\]/m);
    expect(workflow).not.toContain('ref:');
    expect(workflow).toMatch(/^\s*herd ci .*--trust-workspace-config/m);
  });

  it('requires the guard, and sets up Prompt Guard 2 with options herd guard setup has, cached where Herd looks', () => {
    const workflow = readFileSync(join(examples, 'github/herd-ci.yml'), 'utf8');
    expect(workflow).toMatch(/^\s*herd ci --require-guard\b/m);
    const setup = workflow.split('\n').find((line) => /\bherd guard setup\b/.test(line)) ?? '';
    expect(setup).toContain('herd guard setup prompt-guard-2-22m');
    const help = execFileSync(process.execPath, [herdBin, 'guard', 'setup', '--help'], { encoding: 'utf8' });
    for (const option of setup.match(/--[a-z-]+/g) ?? []) expect(help).toContain(option);
    // actions/cache keeps the folder `herd guard setup` installs into (the per-user cache of the runner's user).
    expect(workflow).toContain('path: ~/.cache/herd/models');
    expect(defaultModelCacheDirectory({ HOME: '/home/runner' })).toBe('/home/runner/.cache/herd/models');
  });
});

describe('examples/ci/github/herd-pull-request.yml', () => {
  const workflow = () => readFileSync(join(examples, 'github/herd-pull-request.yml'), 'utf8');

  it("never trusts the pull request's configuration: the base branch's, outside the checkout, through HERD_CONFIG", () => {
    const text = workflow();
    expect(text).toMatch(/^\s+pull_request:\n\s+types: \[labeled\]/m);
    expect(text).not.toContain('pull_request_target:');
    const invocations = text.split('\n').filter((line) => /^\s*herd ci\b/.test(line));
    expect(invocations).toEqual([expect.stringContaining('herd ci --require-guard')]);
    expect(invocations.join(' ')).not.toContain('--trust-workspace-config');
    expect(text).toContain('git show "FETCH_HEAD:herd.config.json" > "$RUNNER_TEMP/herd.config.json"');
    expect(text).toContain('echo "HERD_CONFIG=$RUNNER_TEMP/herd.config.json" >> "$GITHUB_ENV"');
  });

  it('uses only options herd ci has', () => {
    const help = execFileSync(process.execPath, [herdBin, 'ci', '--help'], { encoding: 'utf8' });
    const invocations = workflow()
      .split('\n')
      .filter((line) => /^\s*herd ci\b/.test(line));
    for (const option of invocations.join(' ').match(/--[a-z-]+/g) ?? []) expect(help).toContain(option);
  });
});
