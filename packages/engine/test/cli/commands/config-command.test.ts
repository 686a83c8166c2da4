import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHerdCli } from '../support/run-herd-cli.js';

const environment = { HERD_PROVIDER: undefined, HERD_BASE_URL: undefined, HERD_CONFIG: undefined };

describe('herd config check', () => {
  let root: string;
  let previous: string;
  beforeEach(async () => {
    previous = process.cwd();
    root = await mkdtemp(join(tmpdir(), 'herd-config-cli-'));
    execFileSync('git', ['init', '-q'], { cwd: root });
    process.chdir(root);
  });
  afterEach(async () => {
    process.chdir(previous);
    await rm(root, { recursive: true, force: true });
  });

  async function check(config: unknown) {
    await writeFile(join(root, 'herd.config.json'), JSON.stringify(config));
    return runHerdCli(['config', 'check'], { env: environment });
  }

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
