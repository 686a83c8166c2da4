import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Plan, UserError } from '@herd/core';
import { createSecretsRedactor } from '@herd/guard/secrets';
import { describe, expect, it, vi } from 'vitest';
import { createPlanStore } from '../../src/planner/plan-store.js';

const plan: Plan = {
  summary: 'Rename getUser to fetchUser',
  assumptions: [],
  steps: [
    {
      id: 'step-1',
      title: 'Rename',
      intent: 'Rename the function and its callers',
      files: [{ path: 'src/user.ts', change: 'modify' }],
      commands: [],
      acceptance: 'no getUser left',
    },
  ],
  verification: [['npm', 'test']],
  risks: ['callers outside the repository'],
};

const workspace = () => mkdtempSync(join(tmpdir(), 'herd-plans-'));

describe('createPlanStore', () => {
  it('keeps an approval for the person who gave it, never one shipped in the repository or written by hand', async () => {
    const root = workspace();
    try {
      vi.stubEnv('XDG_STATE_HOME', workspace());
      const store = createPlanStore({ workspace: root });
      const created = await store.create({ task: 'rename', plan });
      await store.approve({ planId: created.planId, version: 1 });
      expect((await store.latest(created.planId)).approvedAt).toBeDefined();
      // A plan someone else approved (another user's Herd: the repository shipped its .herd) is not approved here.
      vi.stubEnv('XDG_STATE_HOME', workspace());
      const elsewhere = await store.latest(created.planId);
      expect(elsewhere.approvedAt).toBeUndefined();
      expect(elsewhere.approvedBy).toBeUndefined();
      // Nor is a version whose file was edited to say it was approved.
      const second = await store.create({ task: 'rename', plan });
      const file = join(root, '.herd', 'plans', second.planId, 'v1.json');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(
        file,
        JSON.stringify({ ...saved, approvedAt: new Date().toISOString(), approvedBy: 'user' }),
      );
      expect((await store.latest(second.planId)).approvedAt).toBeUndefined();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('saves no key a model echoed into the plan: not in v1.json, plan.json or plan.md, nor in what it returns', async () => {
    const key = 'sk-herd-canary-plan-0123456789abcdef';
    const root = workspace();
    const store = createPlanStore({
      workspace: root,
      redactor: createSecretsRedactor({ env: { TOGETHER_API_KEY: key } }),
    });
    const echoing: Plan = {
      ...plan,
      summary: `Call the API with ${key}`,
      steps: [{ ...plan.steps[0]!, intent: `export TOGETHER_API_KEY=${key} and AKIAHERDCANARY123456` }],
    };
    const saved = await store.create({ task: `rename getUser (key ${key})`, plan: echoing });
    expect(saved.plan.summary).toBe('Call the API with [redacted:TOGETHER_API_KEY]');
    expect(saved.plan.steps[0]?.intent).toBe(
      'export TOGETHER_API_KEY=[redacted:TOGETHER_API_KEY] and [redacted:aws]',
    );
    const folder = join(root, '.herd', 'plans', saved.planId);
    for (const file of ['v1.json', 'plan.json', 'plan.md']) {
      const text = readFileSync(join(folder, file), 'utf8');
      expect(text).not.toContain(key);
      expect(text).not.toContain('AKIAHERDCANARY123456');
    }
    // The saved plan.json is what the stored version holds, so it does not read as a person's edit.
    expect((await store.latest(saved.planId)).version).toBe(1);
  });

  it('saves a plan as version 1 with a readable Markdown view', async () => {
    const store = createPlanStore({ workspace: workspace() });
    const saved = await store.create({ task: 'rename getUser', plan });
    expect(saved).toMatchObject({ version: 1, author: 'planner', task: 'rename getUser' });
    const markdown = readFileSync(store.markdownPath(saved.planId), 'utf8');
    expect(markdown).toContain('### 1. Rename `step-1`');
    expect(markdown).toContain('- modify `src/user.ts`');
    expect(markdown).toContain('Not approved yet');
    expect(await store.list()).toEqual([saved.planId]);
  });

  it('turns a person’s edit of plan.json into a new version that is not approved', async () => {
    const store = createPlanStore({ workspace: workspace() });
    const saved = await store.create({ task: 't', plan });
    await store.approve({ planId: saved.planId, version: 1 });
    const edited = {
      ...plan,
      steps: [
        { ...plan.steps[0]!, files: [...plan.steps[0]!.files, { path: 'src/api.ts', change: 'modify' }] },
      ],
    };
    writeFileSync(store.editablePath(saved.planId), JSON.stringify(edited, null, 2));
    const latest = await store.latest(saved.planId);
    expect(latest).toMatchObject({ version: 2, author: 'user' });
    expect(latest.approvedAt).toBeUndefined();
    expect(latest.plan.steps[0]?.files).toHaveLength(2);
    expect((await store.latest(saved.planId)).version).toBe(2);
  });

  it('keeps the approved version when plan.json is unchanged', async () => {
    const store = createPlanStore({ workspace: workspace() });
    const saved = await store.create({ task: 't', plan });
    await store.approve({ planId: saved.planId, version: 1 });
    const latest = await store.latest(saved.planId);
    expect(latest.version).toBe(1);
    expect(latest.approvedAt).toBeDefined();
  });

  it('explains an invalid edit and how to undo it', async () => {
    const store = createPlanStore({ workspace: workspace() });
    const saved = await store.create({ task: 't', plan });
    writeFileSync(store.editablePath(saved.planId), JSON.stringify({ ...plan, steps: [] }));
    const error = await store.latest(saved.planId).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('steps');
    expect((error as UserError).message).toContain('delete it to go back to version 1');
  });

  it('refuses a plan id that could escape the plans folder', async () => {
    const store = createPlanStore({ workspace: workspace() });
    await expect(store.latest('../../etc')).rejects.toThrow(/is not a plan id/);
  });
});
