import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigTrust } from '../../src/config/config-trust.js';
import { type ConfigTrustQuestion, ensureConfigTrusted } from '../../src/config/ensure-config-trusted.js';
import { loadHerdConfig } from '../../src/config/load-herd-config.js';
import { ConfigError } from '../../src/errors/config-error.js';

/** A repository and a private state folder, so records never touch the real home. */
function setting() {
  const repository = mkdtempSync(join(tmpdir(), 'herd-trust-repo-'));
  mkdirSync(join(repository, '.git'));
  const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'herd-trust-state-')) };
  const write = (config: unknown, at = repository) =>
    writeFileSync(join(at, 'herd.config.json'), JSON.stringify(config));
  const check = (cwd = repository) =>
    checkConfigTrust({ loaded: loadHerdConfig({ cwd, env }), workspace: cwd, env });
  const use = (options: { ask?: ConfigTrustQuestion; cwd?: string } = {}) => {
    const cwd = options.cwd ?? repository;
    return ensureConfigTrusted({
      loaded: loadHerdConfig({ cwd, env }),
      workspace: cwd,
      env,
      ...(options.ask ? { ask: options.ask } : {}),
    });
  };
  return { repository, env, write, check, use };
}

async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration trust', () => {
  it('uses the first configuration of a repository where Herd never ran, and records it', async () => {
    const { write, check, use } = setting();
    write({ provider: 'vllm' });
    expect(check().status).toBe('first-use');
    await use();
    expect(check().status).toBe('unchanged');
  });

  it('refuses a configuration rewritten after the run a person started, naming the file and how to accept it', async () => {
    const { repository, write, use } = setting();
    write({ provider: 'vllm' });
    await use();
    // What a model did through `git log --output=herd.config.json` in the reported attack: the sandbox goes off.
    write({ provider: 'vllm', tools: { sandbox: { mode: 'off' }, commands: { defaultDecision: 'allow' } } });
    const error = await refusal(use());
    expect(error.code).toBe('config_unconfirmed');
    expect(error.message).toContain(
      `${join(repository, 'herd.config.json')} changed since a person last ran Herd`,
    );
    expect(error.hint).toContain('herd config trust');
  });

  it('uses a changed configuration once a person says yes, and does not ask again for the same bytes', async () => {
    const { write, use, check } = setting();
    write({ provider: 'vllm' });
    await use();
    write({ provider: 'ollama' });
    const asked: string[] = [];
    await use({
      ask: async (trust) => {
        asked.push(trust.status);
        return true;
      },
    });
    expect(asked).toEqual(['changed']);
    expect(check().status).toBe('unchanged');
  });

  it('refuses when the person says no, and keeps asking', async () => {
    const { write, use, check } = setting();
    write({ provider: 'vllm' });
    await use();
    write({ provider: 'ollama' });
    const error = await refusal(use({ ask: async () => false }));
    expect(error.message).toContain('It was not accepted.');
    expect(check().status).toBe('changed');
  });

  it('asks about a configuration that appeared where Herd already ran without one, even in a subfolder', async () => {
    const { repository, write, use, check } = setting();
    await use();
    const sub = join(repository, 'sub');
    mkdirSync(sub);
    write({ provider: 'vllm' }, sub);
    expect(check(sub).status).toBe('new-file');
    expect((await refusal(use({ cwd: sub }))).code).toBe('config_unconfirmed');
  });
});
