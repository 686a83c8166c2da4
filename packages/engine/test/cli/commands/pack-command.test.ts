import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHerdCli } from '../support/run-herd-cli.js';

const noProvider = {
  HERD_PROVIDER: undefined,
  HERD_BASE_URL: undefined,
  HERD_CONFIG: undefined,
  LLAMA_API_KEY: undefined,
  TOGETHER_API_KEY: undefined,
  FIREWORKS_API_KEY: undefined,
  OPENROUTER_API_KEY: undefined,
};

describe('herd pack', () => {
  let root: string;
  let previous: string;
  beforeEach(async () => {
    previous = process.cwd();
    root = await mkdtemp(join(tmpdir(), 'herd-pack-cli-'));
    execFileSync('git', ['init', '-q'], { cwd: root });
    await writeFile(join(root, 'index.ts'), 'export const answer = 42;\n');
    process.chdir(root);
  });
  afterEach(async () => {
    process.chdir(previous);
    await rm(root, { recursive: true, force: true });
  });

  it('refuses an --out in a folder that does not exist before packing, naming the folder', async () => {
    const result = await runHerdCli(['pack', '--no-cache', '--out', 'missing/packed.txt'], {
      env: noProvider,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`its folder ${join(root, 'missing')} does not exist`);
    expect(result.stderr).not.toContain('root ');
  });

  it('refuses an --out that is a folder', async () => {
    await mkdir(join(root, 'out'));
    const result = await runHerdCli(['pack', '--no-cache', '--out', 'out'], { env: noProvider });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${join(root, 'out')}: it is a folder`);
  });

  it('writes --out whole and leaves no temporary file beside it', async () => {
    await mkdir(join(root, 'out'));
    const result = await runHerdCli(['pack', '--no-cache', '--out', 'out/packed.txt'], { env: noProvider });
    expect(result.code).toBe(0);
    expect(await readFile(join(root, 'out', 'packed.txt'), 'utf8')).toContain('export const answer = 42;');
    expect(readdirSync(join(root, 'out'))).toEqual(['packed.txt']);
  });

  it('packs with a fallback budget when no provider is configured at all', async () => {
    const result = await runHerdCli(['pack', '--no-cache', '--json'], { env: noProvider });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).budget).toBe(300_000);
  });

  it('reports a broken configuration instead of packing with a made-up budget', async () => {
    await writeFile(join(root, 'herd.config.json'), '{ "provider": "vllm", }');
    const result = await runHerdCli(['pack', '--no-cache'], { env: noProvider });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('is not valid JSON');
  });

  it('names the settings when the output reserve leaves no room for the repository', async () => {
    await writeFile(
      join(root, 'herd.config.json'),
      JSON.stringify({ provider: 'vllm', run: { outputReserve: 500_000 } }),
    );
    const result = await runHerdCli(['pack', '--no-cache'], { env: noProvider });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      "run.outputReserve (500000) leaves no room for the repository in the planner's 131072-token window",
    );
    expect(result.stderr).toContain('hint: Or pass --budget');
    expect(existsSync(join(root, '.herd', 'cache'))).toBe(false);
  });
});
