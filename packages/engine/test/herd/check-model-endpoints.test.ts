import { createServer, type Server } from 'node:net';
import { ProviderError, resolveModelRole } from '@herd/core';
import { afterEach, describe, expect, it } from 'vitest';
import { assertModelEndpointsReachable } from '../../src/herd/check-model-endpoints.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listening(): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The planner on a local server at `port`, with fallbacks on the other ports. */
function planner(port: number, fallbackPorts: number[] = []) {
  return resolveModelRole({
    role: 'planner',
    env: {},
    config: {
      provider: 'local',
      providers: {
        local: { extends: 'openai-compatible', baseUrl: `http://127.0.0.1:${port}/v1` },
        ...Object.fromEntries(
          fallbackPorts.map((fallback) => [
            `spare${fallback}`,
            { extends: 'openai-compatible', baseUrl: `http://127.0.0.1:${fallback}/v1` },
          ]),
        ),
      },
      roles: {
        planner: {
          model: 'scout',
          fallbacks: fallbackPorts.map((fallback) => ({ provider: `spare${fallback}`, model: 'scout' })),
        },
      },
    },
  });
}

describe('assertModelEndpointsReachable', () => {
  it('passes when a connection to the base URL opens', async () => {
    await expect(
      assertModelEndpointsReachable({ roles: [planner(await listening())] }),
    ).resolves.toBeUndefined();
  });

  it('names the role, the URL and the reason when nothing listens there', async () => {
    const port = await closedPort();
    const failure = assertModelEndpointsReachable({ roles: [planner(port)] });
    await expect(failure).rejects.toBeInstanceOf(ProviderError);
    await expect(failure).rejects.toThrow(
      `Cannot reach the planner model at http://127.0.0.1:${port}/v1 (local: connection refused`,
    );
  });

  it('passes when the model is down but a fallback the chain would use answers', async () => {
    const roles = [planner(await closedPort(), [await closedPort(), await listening()])];
    await expect(assertModelEndpointsReachable({ roles })).resolves.toBeUndefined();
  });
});
