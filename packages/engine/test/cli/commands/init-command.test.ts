import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHerdCli } from '../support/run-herd-cli.js';

const environment = {
  HERD_PROVIDER: undefined,
  HERD_BASE_URL: undefined,
  HERD_CONFIG: undefined,
  LLAMA_API_KEY: undefined,
  TOGETHER_API_KEY: 'test-key',
  FIREWORKS_API_KEY: undefined,
  OPENROUTER_API_KEY: undefined,
};

describe('herd init', () => {
  let root: string;
  let previous: string;
  let env: Record<string, string | undefined>;
  beforeEach(async () => {
    previous = process.cwd();
    root = await mkdtemp(join(tmpdir(), 'herd-init-cli-'));
    env = { ...environment, XDG_STATE_HOME: await mkdtemp(join(tmpdir(), 'herd-init-state-')) };
    execFileSync('git', ['init', '-q'], { cwd: root });
    process.chdir(root);
  });
  afterEach(async () => {
    process.chdir(previous);
    await rm(root, { recursive: true, force: true });
  });

  it('writes a configuration that config check accepts and that its own $schema validates', async () => {
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'app', scripts: { test: 'node test.js' } }),
    );

    const init = await runHerdCli(['init'], { env });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('provider together (TOGETHER_API_KEY is set)');
    expect(init.stdout).toContain('test command `npm test` (from package.json)');

    const written = JSON.parse(readFileSync(join(root, 'herd.config.json'), 'utf8'));
    expect(written).toMatchObject({ provider: 'together', run: { testCommand: ['npm', 'test'] } });
    const check = await runHerdCli(['config', 'check'], { env });
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('ok: configuration is valid');
    // Written by a person's command: the next run does not ask about it.
    expect(check.stdout).not.toContain('finding:');

    const reference = written.$schema as string;
    const schemaFile = reference.startsWith('file:')
      ? fileURLToPath(reference)
      : isAbsolute(reference)
        ? reference
        : resolve(root, reference);
    const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(
      JSON.parse(readFileSync(schemaFile, 'utf8')),
    );
    expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
  });

  it('never replaces an existing configuration without --force', async () => {
    writeFileSync(join(root, 'herd.config.json'), '{ "provider": "vllm" }\n');
    const refused = await runHerdCli(['init'], { env });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('already exists');
    expect(readFileSync(join(root, 'herd.config.json'), 'utf8')).toBe('{ "provider": "vllm" }\n');
    expect((await runHerdCli(['init', '--force'], { env })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'herd.config.json'), 'utf8')).provider).toBe('together');
  });
});
