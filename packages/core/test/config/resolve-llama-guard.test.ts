import { describe, expect, it } from 'vitest';
import { HerdConfigSchema } from '../../src/config/herd-config.js';
import { resolveHerdRoles } from '../../src/config/resolve-herd-roles.js';
import { resolveLlamaGuard } from '../../src/config/resolve-llama-guard.js';
import { llamaGuardMaxOutputTokens } from '../../src/config/resolve-model-role.js';
import { ConfigError } from '../../src/errors/config-error.js';

describe('resolveLlamaGuard', () => {
  it('turns Llama Guard 4 on by default when the detected provider serves it (Together)', () => {
    const resolution = resolveLlamaGuard({ config: {}, env: { TOGETHER_API_KEY: 'tgp-test-key' } });
    expect(resolution.origin).toBe('provider');
    expect(resolution.api).toBe('chat');
    expect(resolution.role).toMatchObject({
      provider: 'together',
      model: 'meta-llama/Llama-Guard-4-12B',
      baseUrl: 'https://api.together.xyz/v1',
    });
    expect(resolution.reason).toContain(
      "on by default: provider 'together' serves meta-llama/Llama-Guard-4-12B",
    );
    expect(resolution.reason).toContain('"llamaGuard": false');
  });

  it('uses OpenRouter’s Llama Guard 4 id over chat completions', () => {
    const resolution = resolveLlamaGuard({ config: { provider: 'openrouter' }, env: {} });
    expect(resolution.role?.model).toBe('meta-llama/llama-guard-4-12b');
    expect(resolution.api).toBe('chat');
  });

  it('calls Meta’s Llama API through its moderations endpoint with its default model', () => {
    const resolution = resolveLlamaGuard({ config: {}, env: { LLAMA_API_KEY: 'LLM|test' } });
    expect(resolution.api).toBe('moderations');
    expect(resolution.role?.model).toBe('Llama-Guard');
    expect(resolution.role?.moderationsUrl).toBe('https://api.llama.com/v1/moderations');
    expect(resolution.reason).toContain('moderations API (https://api.llama.com/v1/moderations)');
  });

  it('asks for a few tokens, not the provider’s generic output limit', () => {
    const resolution = resolveLlamaGuard({
      config: {
        provider: 'together',
        roles: {
          guard: {
            llamaGuard: { fallbacks: [{ provider: 'openrouter', model: 'meta-llama/llama-guard-4-12b' }] },
          },
        },
      },
      env: {},
    });
    expect(resolution.role?.maxOutputTokens).toBe(llamaGuardMaxOutputTokens);
    expect(llamaGuardMaxOutputTokens).toBeGreaterThanOrEqual(16);
    expect(llamaGuardMaxOutputTokens).toBeLessThanOrEqual(32);
    expect(resolution.role?.fallbacks[0]?.maxOutputTokens).toBe(llamaGuardMaxOutputTokens);
  });

  it('keeps a configured largest completion', () => {
    const resolution = resolveLlamaGuard({
      config: { provider: 'together', roles: { guard: { llamaGuard: { maxOutputTokens: 64 } } } },
      env: {},
    });
    expect(resolution.origin).toBe('configured');
    expect(resolution.role?.maxOutputTokens).toBe(64);
  });

  it('is off when the configuration says "llamaGuard": false, even where the provider serves it', () => {
    const config = HerdConfigSchema.parse({
      provider: 'together',
      roles: { guard: { llamaGuard: false, promptGuard: false } },
    });
    const resolution = resolveLlamaGuard({ config, env: {} });
    expect(resolution).toMatchObject({ role: undefined, origin: 'off' });
    expect(resolution.reason).toContain('"llamaGuard": false');
    const roles = resolveHerdRoles({ config, baseDirectory: '/repo', env: {} });
    expect(roles.guard.llamaGuard).toBeUndefined();
    expect(roles.guard.promptGuard).toBeUndefined();
  });

  it('says which hosts serve Llama Guard 4 when the provider does not (Fireworks)', () => {
    const resolution = resolveLlamaGuard({ config: { provider: 'fireworks' }, env: {} });
    expect(resolution.origin).toBe('unavailable');
    expect(resolution.reason).toContain("provider 'fireworks' serves no Llama Guard 4 model");
    expect(resolution.reason).toContain('TOGETHER_API_KEY');
    expect(resolution.reason).toContain('OPENROUTER_API_KEY');
    expect(resolution.reason).toContain('LLAMA_API_KEY');
  });

  it('turns on for a self-hosted server only when the configuration names the model it serves', () => {
    expect(resolveLlamaGuard({ config: { provider: 'vllm' }, env: {} }).origin).toBe('unavailable');
    const named = resolveLlamaGuard({
      config: {
        provider: 'vllm',
        providers: { vllm: { models: { llamaGuard: 'meta-llama/Llama-Guard-4-12B' } } },
      },
      env: {},
    });
    expect(named.origin).toBe('provider');
    expect(named.role).toMatchObject({
      provider: 'vllm',
      model: 'meta-llama/Llama-Guard-4-12B',
      maxOutputTokens: 32,
    });
  });

  it('still reports a written role that cannot be resolved', () => {
    expect(() =>
      resolveLlamaGuard({ config: { provider: 'fireworks', roles: { guard: { llamaGuard: {} } } }, env: {} }),
    ).toThrow(ConfigError);
  });

  it('lets resolveHerdRoles carry the default role, so its key is known and redacted', () => {
    const roles = resolveHerdRoles({
      config: {},
      baseDirectory: '/repo',
      env: { OPENROUTER_API_KEY: 'sk-or-test' },
    });
    expect(roles.guard.llamaGuard?.apiKeyEnv).toBe('OPENROUTER_API_KEY');
    expect(roles.guard.llamaGuardResolution.origin).toBe('provider');
  });
});
