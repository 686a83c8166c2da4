import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestConfig, testModels } from '@herd/core/testing';
import { type ScriptedServer, type ScriptedTurn, startScriptedServer } from '@herd/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, type HerdProcess, spawnHerd } from '../cli/herd-cli.js';
import { createFailingTestRepository, fixPlan } from '../engine/fixture-repository.js';

// Recognisable made-up secrets. None is a substring of another, so each is looked for on its own.
const apiKey = 'sk-herd-canary-together-7Qx2Lm9Vb4Np0Rt6';
const deployToken = 'herd-canary-deploy-token-3Hk8Zs1Wd5';
const githubToken = `ghp_${'HerdCanary'.repeat(3)}Gh0123`;
const urlPassword = 'herd-canary-url-password-9Fj4';
const canaries = { apiKey, deployToken, githubToken, urlPassword };

// A person pastes keys into the task: the provider's own key, another secret variable's value, and a GitHub token
// that no variable holds (found by its shape).
const task = `make the failing test pass. The API key is ${apiKey}, deploy with ${deployToken}, my token is ${githubToken}`;
// A model (or a proxy echoing the request) repeats every secret it can.
const echo = `keys: ${apiKey} ${deployToken} ${githubToken}`;
const echoingPlan = { ...fixPlan, summary: `${fixPlan.summary} (${echo})` };
const fixCall: ScriptedTurn = {
  toolCalls: [
    {
      name: 'edit_file',
      arguments: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
    },
  ],
};

let server: ScriptedServer;
let workspace: string;
let outside: string;
const runs: Array<{ name: string; herd: HerdProcess; exitCode: number | string }> = [];

/** The environment of every run: the provider's key and a secret variable, as a CI job would have them. */
const environment = () => ({ TOGETHER_API_KEY: apiKey, DEPLOY_TOKEN: deployToken });

async function runHerd(name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const herd = spawnHerd({ args, cwd: workspace, env: { ...environment(), ...env } });
  const exitCode = await herd.exit;
  runs.push({ name, herd, exitCode });
  return { herd, exitCode };
}

/** Every file under a directory, raw bytes read as Latin-1 so that any ASCII secret is found wherever it sits. */
function filesUnder(directory: string): Array<{ path: string; bytes: string }> {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, bytes: readFileSync(path).toString('latin1') };
    });
}

/** Names of the canaries found in `text`. */
const leaked = (text: string) =>
  Object.entries(canaries)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);

beforeAll(async () => {
  assertBuilt();
  server = await startScriptedServer();
  workspace = createFailingTestRepository();
  outside = mkdtempSync(join(tmpdir(), 'herd-secrets-github-'));
  const config = createTestConfig({ baseUrl: server.url, testCommand: ['node', 'test.js'] });
  // The stand-in provider is reached with TOGETHER_API_KEY, as Together is.
  const scripted = { ...config.providers?.scripted, apiKeyEnv: 'TOGETHER_API_KEY', requiresApiKey: true };
  writeFileSync(
    join(workspace, 'herd.config.json'),
    JSON.stringify({
      ...config,
      providers: { scripted },
      roles: { planner: config.roles?.planner, actor: config.roles?.actor },
    }),
  );

  // Sending TOGETHER_API_KEY to the stand-in host weakens Herd: the person running these accepts it first.
  await runHerd('config trust', ['config', 'trust']);

  // herd plan: the plan echoes the keys.
  server.enqueue({ content: JSON.stringify(echoingPlan) }, { model: testModels.planner });
  await runHerd('plan', ['plan', task]);

  // herd run --json: the plan and the actor's text echo the keys.
  server.enqueue({ content: JSON.stringify(echoingPlan) }, { model: testModels.planner });
  server.enqueue([fixCall, { content: `Replaced the subtraction. ${echo}` }], { model: testModels.actor });
  await runHerd('run', ['run', task, '--yes', '--json']);

  // herd ci: the provider answers 401 quoting the key it was sent, as OpenAI-style APIs do.
  server.enqueue(
    {
      fault: 'server_error',
      status: 401,
      message: `Incorrect API key provided: ${apiKey}. You can find your API key at https://example.com (${echo}).`,
    },
    { model: testModels.planner },
  );
  await runHerd('ci', ['ci', '--task', task], {
    GITHUB_STEP_SUMMARY: join(outside, 'step-summary.md'),
    GITHUB_OUTPUT: join(outside, 'github-output.txt'),
  });

  // A base URL with credentials in it: printed by `config check`, and in the error of a run that cannot use it.
  const withCredentials = server.url.replace('http://', `http://herd:${urlPassword}@`);
  await runHerd('config check', ['config', 'check'], { HERD_BASE_URL: withCredentials });
  await runHerd('plan with credentials in the base URL', ['plan', task, '--json'], {
    HERD_BASE_URL: withCredentials,
  });

  await runHerd('sessions', ['sessions']);
}, 300_000);

afterAll(async () => {
  await server?.close();
});

describe('no key in any output (e2e: herd plan, run --json, ci, config check, sessions)', () => {
  it('ran each command to its expected end', () => {
    expect(Object.fromEntries(runs.map((run) => [run.name, run.exitCode]))).toEqual({
      'config trust': 0,
      plan: 0,
      run: 0,
      ci: 3,
      'config check': 0,
      'plan with credentials in the base URL': 3,
      sessions: 0,
    });
  });

  it('prints no key on stdout or stderr, nor in the NDJSON event stream', () => {
    for (const { name, herd } of runs) {
      expect({ name, stdout: leaked(herd.stdout()), stderr: leaked(herd.stderr()) }).toEqual({
        name,
        stdout: [],
        stderr: [],
      });
      expect(leaked(JSON.stringify(herd.events))).toEqual([]);
    }
    const run = runs.find((entry) => entry.name === 'run')!;
    expect(run.herd.events.some((event) => event.type === 'model-text')).toBe(true);
    // The redactions are visible, so a person knows something was there.
    expect(run.herd.stdout()).toContain('[redacted:TOGETHER_API_KEY]');
    const ci = runs.find((entry) => entry.name === 'ci')!;
    expect(ci.herd.stderr()).toContain('Incorrect API key provided: [redacted:TOGETHER_API_KEY]');
    const check = runs.find((entry) => entry.name === 'config check')!;
    expect(check.herd.stdout()).toContain(`url http://herd:[redacted:HERD_BASE_URL]@127.0.0.1`);
  });

  it('writes no key to any file under .herd/, the SQLite database and its WAL included, read as raw bytes', () => {
    const files = filesUnder(join(workspace, '.herd'));
    const names = files.map((file) => file.path.slice(workspace.length + 1));
    // The files the issue names are among those read.
    for (const expected of ['.herd/ci/report.json', '.herd/ci/summary.md', '.herd/sessions.db']) {
      expect(names).toContain(expected);
    }
    expect(names.some((name) => /^\.herd\/plans\/[^/]+\/(plan\.json|plan\.md|v1\.json)$/.test(name))).toBe(
      true,
    );
    expect(names.some((name) => name.endsWith('events.ndjson'))).toBe(true);
    const leaks = files.flatMap((file) => leaked(file.bytes).map((canary) => `${canary} in ${file.path}`));
    expect(leaks).toEqual([]);
  });

  it('writes no key to the GitHub Actions step summary or step outputs', () => {
    const summary = readFileSync(join(outside, 'step-summary.md'), 'utf8');
    expect(summary).toContain('[redacted:TOGETHER_API_KEY]');
    expect(leaked(summary)).toEqual([]);
    expect(leaked(readFileSync(join(outside, 'github-output.txt'), 'utf8'))).toEqual([]);
  });

  it('never sends the keys pasted into the task to a model', () => {
    const bodies = server.requests.map((request) => request.rawBody);
    expect(bodies.some((body) => body.includes('[redacted:TOGETHER_API_KEY]'))).toBe(true);
    expect(leaked(bodies.join('\n'))).toEqual([]);
  });
});
