import { type ScriptedServer, startScriptedServer } from '@herd/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { detectModelProvider } from '../../src/init/detect-model-provider.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

// Ports nothing listens on, so no real server on this machine answers in place of the scripted one.
const nowhere = {
  vllm: 'http://127.0.0.1:9/v1',
  ollama: 'http://127.0.0.1:9/v1',
  'llama-cpp': 'http://127.0.0.1:9/v1',
};

describe('detectModelProvider', () => {
  it('picks the hosted provider whose key is set, as a run would', async () => {
    const detected = await detectModelProvider({ env: { TOGETHER_API_KEY: 'x' }, localBaseUrls: nowhere });
    expect(detected).toEqual({ provider: 'together', reason: 'TOGETHER_API_KEY is set' });
  });

  it('finds a local server by its model list, and configures the model it serves', async () => {
    const server = await startScriptedServer({ models: ['my-llama-4-scout'] });
    servers.push(server);
    const detected = await detectModelProvider({
      env: {},
      localBaseUrls: { ...nowhere, ollama: server.url },
    });
    expect(detected).toMatchObject({
      provider: 'ollama',
      models: { planner: 'my-llama-4-scout', actor: 'my-llama-4-scout' },
    });
    expect(detected?.reason).toContain(`ollama answers at ${server.url}`);
  });

  it('finds nothing when no key is set and no server answers', async () => {
    expect(await detectModelProvider({ env: {}, localBaseUrls: nowhere })).toBeUndefined();
  });
});
