import { describe, expect, it } from 'vitest';
import type { HerdConfig } from '../../src/config/herd-config.js';
import { resolveHerdRoles } from '../../src/config/resolve-herd-roles.js';
import { resolveModelRole } from '../../src/config/resolve-model-role.js';
import { ConfigError } from '../../src/errors/config-error.js';

function rejection(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveModelRole', () => {
  it('takes the model, served window and tool-calling style from the provider preset', () => {
    const role = resolveModelRole({ config: { provider: 'together' }, role: 'planner', env: {} });
    expect(role).toMatchObject({
      provider: 'together',
      baseUrl: 'https://api.together.xyz/v1',
      apiKeyEnv: 'TOGETHER_API_KEY',
      model: 'meta-llama/Llama-4-Scout-17B-16E-Instruct',
      contextWindow: 327_680,
      toolCalling: 'native',
    });
  });

  it('serves 128K on the Meta Llama API, not the 10M marketing figure', () => {
    const role = resolveModelRole({ config: { provider: 'llama-api' }, role: 'planner', env: {} });
    expect(role.contextWindow).toBe(128_000);
    expect(role.baseUrl).toBe('https://api.llama.com/compat/v1');
  });

  it('overrides a preset field by field and keeps the rest', () => {
    const config: HerdConfig = {
      provider: 'vllm',
      providers: {
        vllm: {
          baseUrl: 'http://10.0.0.5:8000/v1',
          limits: { default: { contextWindow: 1_000_000, maxOutputTokens: 8_192 } },
        },
      },
    };
    const role = resolveModelRole({ config, role: 'planner', env: {} });
    expect(role.baseUrl).toBe('http://10.0.0.5:8000/v1');
    expect(role.contextWindow).toBe(1_000_000);
    expect(role.model).toBe('meta-llama/Llama-4-Scout-17B-16E-Instruct');
    expect(role.toolCalling).toBe('native');
  });

  it('lets a new provider extend a preset', () => {
    const config: HerdConfig = {
      providers: { lab: { extends: 'openrouter', baseUrl: 'https://proxy.example.com/v1' } },
      roles: { actor: { provider: 'lab' } },
    };
    const role = resolveModelRole({ config, role: 'actor', env: {} });
    expect(role).toMatchObject({
      provider: 'lab',
      model: 'meta-llama/llama-4-maverick',
      toolCalling: 'text',
    });
  });

  it('detects the provider from an API key in the environment', () => {
    const role = resolveModelRole({ config: {}, role: 'actor', env: { LLAMA_API_KEY: 'secret-value-123' } });
    expect(role.provider).toBe('llama-api');
  });

  it('says how to configure an endpoint when there is none', () => {
    const error = rejection(() => resolveModelRole({ config: {}, role: 'planner', env: {} }));
    expect(error.code).toBe('no_provider');
    expect(error.message).toContain('LLAMA_API_KEY');
    expect(error.message).toContain('HERD_BASE_URL');
  });

  it('rejects an unknown provider and lists the known ones', () => {
    const error = rejection(() =>
      resolveModelRole({ config: { provider: 'groq' }, role: 'planner', env: {} }),
    );
    expect(error.code).toBe('provider_unknown');
    expect(error.message).toContain("'groq'");
    expect(error.message).toContain('together');
  });

  it('asks for a model id when the provider has no default for the role', () => {
    const error = rejection(() =>
      resolveModelRole({ config: { provider: 'fireworks' }, role: 'llamaGuard', env: {} }),
    );
    expect(error.code).toBe('model_missing');
    expect(error.message).toContain('roles.guard.llamaGuard.model');
  });

  it('resolves the fallback chain in order, inheriting the provider', () => {
    const config: HerdConfig = {
      provider: 'together',
      roles: {
        actor: {
          fallbacks: [
            { model: 'backup-a' },
            { provider: 'openrouter', model: 'meta-llama/llama-4-maverick' },
          ],
        },
      },
    };
    const role = resolveModelRole({ config, role: 'actor', env: {} });
    expect(role.fallbacks.map((fallback) => [fallback.provider, fallback.model])).toEqual([
      ['together', 'backup-a'],
      ['openrouter', 'meta-llama/llama-4-maverick'],
    ]);
    expect(role.fallbacks[1]?.contextWindow).toBe(1_048_576);
  });
});

describe('resolveHerdRoles', () => {
  it('reports a missing provider once, not once per role', () => {
    const error = rejection(() => resolveHerdRoles({ config: {}, baseDirectory: '/repo', env: {} }));
    expect(error.message.match(/No model endpoint is configured/g)).toHaveLength(1);
  });

  it('reports an unknown top-level provider once, at "provider" where it was written', () => {
    const error = rejection(() =>
      resolveHerdRoles({ config: { provider: 'nope' }, baseDirectory: '/repo', env: {} }),
    );
    expect(error.message).toBe(
      `Unknown provider 'nope' at provider; use one of llama-api, together, fireworks, openrouter, vllm, ollama, llama-cpp, openai-compatible, or declare it under "providers" with a "baseUrl".`,
    );
  });

  it('blames HERD_PROVIDER when the unknown provider came from the environment', () => {
    const error = rejection(() =>
      resolveModelRole({ config: { provider: 'nope' }, role: 'actor', env: { HERD_PROVIDER: 'nope' } }),
    );
    expect(error.message).toContain("Unknown provider 'nope' at HERD_PROVIDER");
  });

  it('rejects a largest completion that fills the whole context window, naming both settings', () => {
    const error = rejection(() =>
      resolveModelRole({
        config: { provider: 'vllm', roles: { planner: { contextWindow: 1_000, maxOutputTokens: 200_000 } } },
        role: 'planner',
        env: {},
      }),
    );
    expect(error.issues[0]?.path).toBe('roles.planner.maxOutputTokens');
    expect(error.message).toContain('roles.planner.maxOutputTokens (200000)');
    expect(error.message).toContain('1000-token context window');
    expect(error.message).toContain('set roles.planner.contextWindow');
  });

  it('makes the Prompt Guard model path absolute against the configuration directory', () => {
    const roles = resolveHerdRoles({
      config: { provider: 'ollama', roles: { guard: { promptGuard: { modelPath: 'models/pg2' } } } },
      baseDirectory: '/repo',
      env: {},
    });
    expect(roles.guard.promptGuard?.modelPath).toBe('/repo/models/pg2');
    expect(roles.guard.llamaGuard).toBeUndefined();
  });
});
