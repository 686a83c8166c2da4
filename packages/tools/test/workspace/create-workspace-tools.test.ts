import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorkspaceTools } from '../../src/workspace/create-workspace-tools.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

describe('createWorkspaceTools', () => {
  it('checkpoints before a write so the write can be undone exactly', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'original\n' });
    const { dispatcher, checkpoints } = await createWorkspaceTools({
      workspace: root,
      config: { checkpoints: { directory: path.join(parent, 'checkpoints') }, fetchUrl: { enabled: false } },
    });
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'a.txt', content: 'model wrote this\n' },
    });
    expect(result.checkpointId).toMatch(/^[0-9a-f]{40}$/);
    await writeFile(path.join(root, 'b.txt'), 'created later');
    await checkpoints!.restore(result.checkpointId!);
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('original\n');
  });

  it('offers fetch_url only when enabled and leaves it out in CI by default', async () => {
    const { root } = await createTemporaryWorkspace();
    const inCi = await createWorkspaceTools({
      workspace: root,
      config: { checkpoints: { enabled: false } },
      environment: { CI: 'true' },
    });
    expect(inCi.registry.names()).not.toContain('fetch_url');
    expect(inCi.checkpoints).toBeUndefined();
    const local = await createWorkspaceTools({
      workspace: root,
      config: { checkpoints: { enabled: false } },
      environment: {},
    });
    expect(local.registry.names()).toContain('fetch_url');
  });
});
