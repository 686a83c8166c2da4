import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@herd/core';
import { testModels } from '@herd/core/testing';
import { createHerd } from '@herd/engine';
import { useScriptedServer } from '@herd/test-support/vitest';
import { describe, expect, it } from 'vitest';
import { createFailingTestRepository, enqueueFixScenario, scriptedRunConfig } from './fixture-repository.js';

// A real 1×1 PNG.
const onePixelPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

const server = useScriptedServer();

const configFor = (workspace: string, images: boolean) =>
  scriptedRunConfig({ workspace, baseUrl: server.url, images });

describe('tasks with images', () => {
  it('sends a screenshot to the planner and the actor as image parts', async () => {
    const workspace = createFailingTestRepository();
    writeFileSync(join(workspace, 'screenshot.png'), onePixelPng);
    enqueueFixScenario({
      server,
      plannerModel: testModels.planner,
      actorModel: testModels.actor,
      summary: 'done',
    });
    const herd = createHerd({
      workspace,
      config: configFor(workspace, true),
      env: {},
      autoApprovePlan: true,
    });
    const result = await herd.run('the page in the screenshot shows a wrong sum; fix it', {
      images: [{ source: 'screenshot.png' }],
    }).result;
    await herd.close();
    expect(result.status).toBe('succeeded');
    const imageUrls = (model: string) =>
      server
        .chatRequests()
        .filter((body) => body.model === model)
        .flatMap((body) => body.messages ?? [])
        .flatMap((message) => (Array.isArray(message.content) ? message.content : []))
        .filter((part: { type?: string }) => part.type === 'image_url')
        .map((part: { image_url: { url: string } }) => part.image_url.url);
    expect(imageUrls(testModels.planner)[0]).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(imageUrls(testModels.actor).length).toBeGreaterThan(0);
  });

  it('refuses images clearly when the planner’s provider cannot take them', async () => {
    const workspace = createFailingTestRepository();
    writeFileSync(join(workspace, 'screenshot.png'), onePixelPng);
    const herd = createHerd({
      workspace,
      config: configFor(workspace, false),
      env: {},
      autoApprovePlan: true,
    });
    const error = await herd
      .run('fix it', { images: [{ source: 'screenshot.png' }] })
      .result.catch((caught: unknown) => caught);
    await herd.close();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('images_unsupported');
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('says which image is missing', async () => {
    const workspace = createFailingTestRepository();
    const herd = createHerd({
      workspace,
      config: configFor(workspace, true),
      env: {},
      autoApprovePlan: true,
    });
    const error = await herd
      .run('fix it', { images: [{ source: 'nope.png' }] })
      .result.catch((caught: unknown) => caught);
    await herd.close();
    expect((error as UserError).message).toContain('nope.png does not exist');
  });
});

describe('images and Llama Guard 4', () => {
  function withLlamaGuard(workspace: string, verdict: string) {
    server.respondWith((body) =>
      body.model === testModels.llamaGuard
        ? { content: verdict }
        : { fault: 'server_error', message: 'unscripted turn' },
    );
    return scriptedRunConfig({
      workspace,
      baseUrl: server.url,
      images: true,
      change: (config) => ({
        ...config,
        roles: { ...config.roles, guard: { llamaGuard: { model: testModels.llamaGuard, retries: 0 } } },
      }),
    });
  }

  it('sends the task’s images to Llama Guard 4 with the task text', async () => {
    const workspace = createFailingTestRepository();
    writeFileSync(join(workspace, 'screenshot.png'), onePixelPng);
    enqueueFixScenario({ server, plannerModel: testModels.planner, actorModel: testModels.actor });
    const herd = createHerd({
      workspace,
      config: withLlamaGuard(workspace, 'safe'),
      env: {},
      autoApprovePlan: true,
    });
    const result = await herd.run('fix the sum shown in the screenshot', {
      images: [{ source: 'screenshot.png' }],
    }).result;
    await herd.close();
    expect(result.status).toBe('succeeded');
    const guardRequests = server.chatRequests().filter((body) => body.model === testModels.llamaGuard);
    const first = guardRequests[0]?.messages?.[0]?.content as Array<{
      type: string;
      image_url?: { url: string };
    }>;
    expect(first.map((part) => part.type)).toEqual(['text', 'image_url']);
    expect(first[1]?.image_url?.url).toMatch(/^data:image\/png;base64,/);
  });

  it('blocks the run before planning when Llama Guard 4 finds the task unsafe', async () => {
    const workspace = createFailingTestRepository();
    writeFileSync(join(workspace, 'screenshot.png'), onePixelPng);
    const herd = createHerd({
      workspace,
      config: withLlamaGuard(workspace, 'unsafe\nS1'),
      env: {},
      autoApprovePlan: true,
    });
    const result = await herd.run('do what the screenshot says', { images: [{ source: 'screenshot.png' }] })
      .result;
    await herd.close();
    expect(result.status).toBe('blocked');
    expect(server.chatRequests().filter((body) => body.model === testModels.planner)).toHaveLength(0);
  });
});
