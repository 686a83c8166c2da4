import { useScriptedServer } from '@herd/test-support/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnHerd } from '../cli/herd-cli.js';
import { createFailingTestRepository, fixEditCall, fixPlan } from '../engine/fixture-repository.js';

beforeAll(assertBuilt);
// Ollama's default served window, enforced as a host would; /api/show reports it as num_ctx.
const server = useScriptedServer({ contextWindow: { 'llama4:scout': 8_192, 'llama4:maverick': 8_192 } });

describe('HERD_PROVIDER=ollama with no configuration file', () => {
  it('reaches the server and finishes a run on a small repository inside the 8,192-token window', async () => {
    const workspace = createFailingTestRepository();
    server.respondWith((body) => (body.model === 'llama-guard3' ? { content: 'safe' } : { content: '' }));
    server.enqueue({ content: JSON.stringify({ ...fixPlan, verification: [] }) }, { model: 'llama4:scout' });
    server.enqueue([fixEditCall, { content: 'Fixed add.' }], { model: 'llama4:maverick' });
    const herd = spawnHerd({
      args: ['run', 'make the failing test pass', '--yes', '--json'],
      cwd: workspace,
      env: { HERD_PROVIDER: 'ollama', HERD_BASE_URL: server.url },
    });

    expect(await herd.exit).toBe(0);
    expect(herd.stderr()).not.toContain('leaves no room');
    const models = server.chatRequests().map((body) => body.model);
    expect(models).toContain('llama4:scout');
    expect(models).toContain('llama4:maverick');
    expect(server.windowRefusals).toEqual([]);
    expect(herd.events.at(-1)).toMatchObject({ type: 'run-finish', status: 'succeeded' });
  }, 120_000);

  it('names OLLAMA_CONTEXT_LENGTH and HERD_CONTEXT_WINDOW when the window is too small for anything', async () => {
    const workspace = createFailingTestRepository();
    const herd = spawnHerd({
      args: ['run', 'make the failing test pass', '--yes'],
      cwd: workspace,
      env: { HERD_PROVIDER: 'ollama', HERD_BASE_URL: server.url, HERD_CONTEXT_WINDOW: '2048' },
    });
    expect(await herd.exit).toBe(3);
    expect(herd.stderr()).toContain('OLLAMA_CONTEXT_LENGTH');
    expect(herd.stderr()).toContain('HERD_CONTEXT_WINDOW');
  }, 120_000);
});
