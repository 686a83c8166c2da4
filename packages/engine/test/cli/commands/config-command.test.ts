import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHerdCli } from '../support/run-herd-cli.js';

const environment = { HERD_PROVIDER: undefined, HERD_BASE_URL: undefined, HERD_CONFIG: undefined };
const noKeys = {
  LLAMA_API_KEY: undefined,
  TOGETHER_API_KEY: undefined,
  FIREWORKS_API_KEY: undefined,
  OPENROUTER_API_KEY: undefined,
};

describe('herd config check', () => {
  let root: string;
  let previous: string;
  let state: string;
  beforeEach(async () => {
    previous = process.cwd();
    root = await mkdtemp(join(tmpdir(), 'herd-config-cli-'));
    state = await mkdtemp(join(tmpdir(), 'herd-config-state-'));
    execFileSync('git', ['init', '-q'], { cwd: root });
    process.chdir(root);
  });
  afterEach(async () => {
    process.chdir(previous);
    await rm(root, { recursive: true, force: true });
    await rm(state, { recursive: true, force: true });
  });

  async function check(config: unknown) {
    await writeFile(join(root, 'herd.config.json'), JSON.stringify(config));
    return runHerdCli(['config', 'check'], { env: environment });
  }

  it('prints a base URL without the password it carries, as text and as JSON', async () => {
    await writeFile(join(root, 'herd.config.json'), JSON.stringify({ provider: 'vllm' }));
    const password = 'herd-canary-url-password-42';
    const env = { ...environment, HERD_BASE_URL: `http://herd:${password}@127.0.0.1:8000/v1` };
    const text = await runHerdCli(['config', 'check'], { env });
    const json = await runHerdCli(['config', 'check', '--json'], { env });
    expect(text.stdout).toContain('url http://herd:[redacted:HERD_BASE_URL]@127.0.0.1:8000/v1');
    expect(JSON.parse(json.stdout).roles.planner.baseUrl).toBe(
      'http://herd:[redacted:HERD_BASE_URL]@127.0.0.1:8000/v1',
    );
    expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain(password);
  });

  it('accepts a local provider and says the configuration is valid', async () => {
    const result = await check({ provider: 'vllm' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ok: configuration is valid');
  });

  it('finds an output reserve that leaves no room for the repository in the planner window', async () => {
    const result = await check({ provider: 'vllm', run: { outputReserve: 500_000 } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      "run.outputReserve (500000) leaves no room for the repository in the planner's 131072-token window",
    );
  });

  it('reports an unknown guard policy preset by name', async () => {
    const result = await check({ provider: 'vllm', policy: 'paranoid' });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("Unknown guard policy preset 'paranoid'");
  });

  it("passes on a section's hint with its problem", async () => {
    const result = await check({ provider: 'vllm', policy: 'paranoid' });
    expect(result.stderr).toMatch(/hint: .*strict/);
  });

  it('reports an unknown top-level provider once, where it was written', async () => {
    const result = await check({ provider: 'nope' });
    expect(result.code).toBe(3);
    expect(result.stderr.match(/Unknown provider 'nope' at provider;/g)).toHaveLength(1);
  });

  it('reports mistakes in the core schema, the run, tools and policy sections all at once', async () => {
    const result = await check({
      provider: 'vllm',
      roles: { planner: { temperature: 'hot' } },
      run: { maxFixAttempts: -1 },
      tools: { commands: { rules: 'allow all' } },
      policy: 'paranoid',
    });
    expect(result.code).toBe(3);
    for (const path of ['roles.planner.temperature', 'run.maxFixAttempts', 'tools.commands.rules', 'policy:'])
      expect(result.stderr).toContain(path);
  });

  it('reports a missing model endpoint as a finding and exits 0: the configuration itself is valid', async () => {
    await writeFile(join(root, 'herd.config.json'), JSON.stringify({ run: { maxFixAttempts: 2 } }));
    const result = await runHerdCli(['config', 'check'], {
      env: { ...environment, ...noKeys, XDG_STATE_HOME: state },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('finding: No model endpoint is configured.');
    expect(result.stdout).toContain('ok: configuration is valid');
  });

  it('says when the file changed since a person last ran Herd with it, and `config trust` accepts it', async () => {
    const env = { ...environment, XDG_STATE_HOME: state };
    await writeFile(join(root, 'herd.config.json'), JSON.stringify({ provider: 'vllm' }));
    expect((await runHerdCli(['config', 'trust'], { env })).stdout).toContain('trusted');
    await writeFile(join(root, 'herd.config.json'), JSON.stringify({ provider: 'ollama' }));

    const changed = await runHerdCli(['config', 'check'], { env });
    expect(changed.stdout).toMatch(/finding: .*herd\.config\.json changed since a person last ran Herd/);
    await runHerdCli(['config', 'trust'], { env });
    expect((await runHerdCli(['config', 'check'], { env })).stdout).not.toContain('finding:');
  });

  it('says Llama Guard 4 is on by default, from where and why, when the provider serves it', async () => {
    await writeFile(join(root, 'herd.config.json'), '{}');
    const result = await runHerdCli(['config', 'check'], {
      env: {
        ...environment,
        TOGETHER_API_KEY: 'tgp-config-check-key',
        LLAMA_API_KEY: undefined,
        XDG_CACHE_HOME: join(root, 'cache'),
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "guard.llamaGuard (Llama Guard 4): on — on by default: provider 'together' serves meta-llama/Llama-Guard-4-12B at https://api.together.xyz/v1",
    );
    expect(result.stdout).toContain('max output 32');
    expect(result.stdout).toContain('guard.promptGuard (Prompt Guard 2): SKIPPED — not set up');
    expect(result.stdout).not.toContain('tgp-config-check-key');
  });

  it('says a classifier is off when the configuration turns it off', async () => {
    const result = await check({ provider: 'openrouter', roles: { guard: { llamaGuard: false } } });
    expect(result.stdout).toContain(
      'guard.llamaGuard (Llama Guard 4): SKIPPED — turned off by "llamaGuard": false in roles.guard',
    );
  });
});
