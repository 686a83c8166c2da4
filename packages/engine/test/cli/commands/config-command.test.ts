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
});
