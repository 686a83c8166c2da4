import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHerdConfig } from '../../src/config/load-herd-config.js';
import { ConfigError } from '../../src/errors/config-error.js';

function workspaceWith(config: unknown): string {
  const directory = mkdtempSync(join(tmpdir(), 'herd-config-'));
  mkdirSync(join(directory, '.git'));
  writeFileSync(
    join(directory, 'herd.config.json'),
    typeof config === 'string' ? config : JSON.stringify(config),
  );
  return directory;
}

function loadError(config: unknown, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    loadHerdConfig({ cwd: workspaceWith(config), env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadHerdConfig', () => {
  it('reads herd.config.json from the repository root when started in a subdirectory', () => {
    const root = workspaceWith({ provider: 'together' });
    const nested = join(root, 'src', 'deep');
    mkdirSync(nested, { recursive: true });
    const loaded = loadHerdConfig({ cwd: nested, env: {} });
    expect(loaded.config.provider).toBe('together');
    expect(loaded.file).toBe(join(root, 'herd.config.json'));
  });

  it('uses the file named by HERD_CONFIG', () => {
    const directory = mkdtempSync(join(tmpdir(), 'herd-config-'));
    writeFileSync(join(directory, 'custom.json'), JSON.stringify({ provider: 'ollama' }));
    const loaded = loadHerdConfig({ cwd: directory, env: { HERD_CONFIG: 'custom.json' } });
    expect(loaded.config.provider).toBe('ollama');
  });

  it('needs no file: the environment alone can configure Herd', () => {
    const directory = mkdtempSync(join(tmpdir(), 'herd-config-'));
    mkdirSync(join(directory, '.git'));
    const loaded = loadHerdConfig({
      cwd: directory,
      env: { HERD_BASE_URL: 'http://127.0.0.1:9999/v1', HERD_ACTOR_MODEL: 'local-maverick' },
    });
    expect(loaded.file).toBeUndefined();
    expect(loaded.config.provider).toBe('openai-compatible');
    expect(loaded.config.providers?.['openai-compatible']?.baseUrl).toBe('http://127.0.0.1:9999/v1');
    expect(loaded.config.roles?.actor?.model).toBe('local-maverick');
  });

  it('names the path and the fix when the context window is not a number', () => {
    const error = loadError({ roles: { planner: { contextWindow: '128k' } } });
    expect(error.code).toBe('config_invalid');
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: 'roles.planner.contextWindow',
        message: expect.stringContaining('131072'),
      }),
    ]);
    expect(error.message).toContain('roles.planner.contextWindow');
    expect(error.message).toContain('"128k"');
  });

  it('rejects an unknown key and says which one', () => {
    const error = loadError({ roles: { planer: {} } });
    expect(error.issues[0]).toEqual({ path: 'roles.planer', message: expect.stringContaining("'planer'") });
  });

  it('rejects a provider base URL that is not a URL', () => {
    const error = loadError({ providers: { mine: { baseUrl: 'localhost:8000' } } });
    expect(error.issues[0]?.path).toBe('providers.mine.baseUrl');
    expect(error.issues[0]?.message).toContain('http://127.0.0.1:8000/v1');
  });

  it('takes the empty placeholder a sandboxed command of another Herd (or a killed one) left for no configuration', () => {
    const directory = workspaceWith('');
    utimesSync(join(directory, 'herd.config.json'), new Date(424), new Date(424));
    expect(loadHerdConfig({ cwd: directory, env: {} }).file).toBeUndefined();
    // An empty file a person wrote is still a mistake to report.
    expect(loadError('').code).toBe('config_not_json');
  });

  it('reports a syntax error in the file as config_not_json', () => {
    const error = loadError('{ "provider": "together", }');
    expect(error.code).toBe('config_not_json');
    expect(error.message).toContain('not valid JSON');
  });

  it('lists every problem at once', () => {
    const error = loadError({ roles: { planner: { temperature: 9, retries: -1 } } });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'roles.planner.retries',
      'roles.planner.temperature',
    ]);
  });

  it('says a herd.config.json that is a directory must be replaced or removed, not that HERD_CONFIG is wrong', () => {
    const directory = mkdtempSync(join(tmpdir(), 'herd-config-'));
    mkdirSync(join(directory, '.git'));
    mkdirSync(join(directory, 'herd.config.json'));
    const error = rejection(() => loadHerdConfig({ cwd: directory, env: {} }));
    expect(error.message).toContain(`${join(directory, 'herd.config.json')} is a directory`);
    expect(error.message).toContain('or remove it');
  });

  it('says a HERD_CONFIG that names no file should point at a JSON file or be unset', () => {
    const directory = mkdtempSync(join(tmpdir(), 'herd-config-'));
    const error = rejection(() =>
      loadHerdConfig({ cwd: directory, env: { HERD_CONFIG: 'missing/herd.json' } }),
    );
    expect(error.code).toBe('config_unreadable');
    expect(error.message).toContain(`${join(directory, 'missing/herd.json')} does not exist`);
    expect(error.message).toContain('point HERD_CONFIG at a JSON file (or unset it)');
  });

  it('refuses a file larger than 1 MiB before parsing it, naming the limit', () => {
    const padding = ' '.repeat(1024 * 1024);
    const error = loadError(`{"provider": "together"${padding}}`);
    expect(error.code).toBe('config_too_large');
    expect(error.message).toContain('larger than 1 MiB');
  });

  it('refuses 100,000 nested arrays with a config error instead of overflowing the stack', () => {
    const error = loadError(`{"run": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(error.code).toBe('config_too_deep');
    expect(error.message).toContain('more than 64 levels deep (at run.0.0.0');
  });

  it('reads a file that starts with a UTF-8 byte order mark, as Windows editors write it', () => {
    const directory = workspaceWith(`\uFEFF${JSON.stringify({ provider: 'together' })}`);
    expect(loadHerdConfig({ cwd: directory, env: {} }).config.provider).toBe('together');
  });

  it('gives the SHA-256 of the bytes it parsed, and none without a file', () => {
    const text = JSON.stringify({ provider: 'together' });
    const loaded = loadHerdConfig({ cwd: workspaceWith(text), env: {} });
    expect(loaded.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    const bare = mkdtempSync(join(tmpdir(), 'herd-config-'));
    mkdirSync(join(bare, '.git'));
    expect(loadHerdConfig({ cwd: bare, env: {} }).sha256).toBeUndefined();
  });

  it("lists the core schema's problems and those of the sections other packages parse in one error", () => {
    const sectionError = (section: string) => (value: unknown) => {
      if (value === undefined) return;
      throw new ConfigError({
        source: 'file',
        issues: [{ path: `${section}.x`, message: 'is wrong' }],
        message: `${section} is wrong`,
      });
    };
    const error = rejection(() =>
      loadHerdConfig({
        cwd: workspaceWith({
          roles: { planner: { temperature: 'hot' } },
          tools: { x: 1 },
          run: { x: 1 },
        }),
        env: {},
        sections: { tools: sectionError('tools'), run: sectionError('run'), policy: sectionError('policy') },
      }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'roles.planner.temperature',
      'tools.x',
      'run.x',
    ]);
    expect(error.message).toContain('tools.x: is wrong');
  });

  it("reports a mistake in one section alone as that section's parser words it", () => {
    const parseRun = () => {
      throw new ConfigError({
        source: 'file',
        code: 'run_bad',
        message: 'The run section is bad.',
        hint: 'fix run',
      });
    };
    const error = rejection(() =>
      loadHerdConfig({ cwd: workspaceWith({ run: {} }), env: {}, sections: { run: parseRun } }),
    );
    expect(error.code).toBe('run_bad');
    expect(error.message).toBe('The run section is bad.');
    expect(error.hint).toBe('fix run');
  });

  it.skipIf(process.getuid?.() === 0)('says an unreadable configuration file must be made readable', () => {
    const directory = workspaceWith({ provider: 'together' });
    chmodSync(join(directory, 'herd.config.json'), 0);
    const error = rejection(() => loadHerdConfig({ cwd: directory, env: {} }));
    expect(error.code).toBe('config_unreadable');
    expect(error.message).toContain('EACCES');
    expect(error.message).toContain('chmod a+r');
  });
});

function rejection(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}
