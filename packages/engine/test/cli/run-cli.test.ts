import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCliProgram } from '../../src/cli/run-cli.js';
import { runHerdCli } from './support/run-herd-cli.js';

// A closed port: nothing in these tests may reach a model.
const noModel = { HERD_PROVIDER: 'vllm', HERD_BASE_URL: 'http://127.0.0.1:9/v1', HERD_CONFIG: undefined };

describe('herd command line', () => {
  let root: string;
  let previous: string;
  beforeEach(async () => {
    previous = process.cwd();
    root = await mkdtemp(join(tmpdir(), 'herd-cli-'));
    process.chdir(root);
  });
  afterEach(async () => {
    process.chdir(previous);
    await rm(root, { recursive: true, force: true });
  });

  it('exits 3, an input error, for an unknown command, and says how to get help', async () => {
    const result = await runHerdCli(['bogus']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("unknown command 'bogus'");
    expect(result.stderr).toContain('(add --help for usage)');
  });

  it('exits 3 for an unknown option and for a missing task', async () => {
    expect((await runHerdCli(['run', '--bogus', 'task'])).code).toBe(3);
    const missing = await runHerdCli(['run']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("missing required argument 'task'");
  });

  it('exits 0 for --help and --version', async () => {
    expect((await runHerdCli(['--help'])).code).toBe(0);
    expect((await runHerdCli(['--version'])).code).toBe(0);
  });

  it('loads only the command a command line begins with, none for --version, and all for help or a mistyped name', async () => {
    const commands = async (...args: string[]) =>
      (await createCliProgram(['node', 'herd', ...args])).commands.map((command) => command.name());
    expect(await commands('pack', '--budget', '5000')).toEqual(['pack']);
    expect(await commands('--version')).toEqual([]);
    const all = [
      'init',
      'run',
      'ci',
      'plan',
      'act',
      'resume',
      'sessions',
      'undo',
      'config',
      'guard',
      'mcp',
      'acp',
      'pack',
    ];
    expect(await commands('--help')).toEqual(all);
    expect(await commands()).toEqual(all);
    expect(await commands('pak')).toEqual(all);
    expect(await commands('help', 'pack')).toEqual(all);
  });

  it('refuses an empty task before anything starts or is written', async () => {
    const result = await runHerdCli(['run', '  '], { env: noModel });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('the task is empty; say what to do');
    expect(existsSync(join(root, '.herd'))).toBe(false);
  });

  it('refuses a --workspace that does not exist, naming it', async () => {
    const missing = join(root, 'nope');
    const result = await runHerdCli(['run', '--workspace', missing, 'task'], { env: noModel });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`the workspace ${missing} does not exist`);
  });

  it('refuses a --workspace that is a file with exit 3, not an internal error', async () => {
    const file = join(root, 'notes.txt');
    await writeFile(file, 'not a folder\n');
    for (const command of [
      ['run', 'task'],
      ['act'],
      ['resume'],
      ['undo'],
      ['sessions'],
      ['ci', '--task', 'x'],
    ]) {
      const result = await runHerdCli([...command, '--workspace', file], { env: noModel });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`the workspace ${file} is a file, not a folder`);
    }
    expect(existsSync(`${file}/.herd`)).toBe(false);
  });

  it('says why a session id with path characters is refused instead of exiting silently', async () => {
    const result = await runHerdCli(['resume', '../../etc/passwd'], { env: noModel });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("'../../etc/passwd' is not a session id");
  });

  it('undo names an unknown session rather than saying it changed nothing', async () => {
    const result = await runHerdCli(['undo', '--session', 'no-such-session'], { env: noModel });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("There is no session 'no-such-session' in this workspace");
  });

  it('--image does not take the task that follows it as another image', async () => {
    const result = await runHerdCli(['plan', '--image', 'missing.png', 'describe the screenshot'], {
      env: noModel,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain("missing required argument 'task'");
    expect(result.stderr).toContain('missing.png does not exist');
  });
});
