import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkspaceFileSystem } from '../../src/files/workspace-file-system.js';
import { createWorkspaceTools } from '../../src/workspace/create-workspace-tools.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

/** An editor-like file system: open buffers with unsaved text, reads of other files from the disk. */
function createBufferFileSystem(): WorkspaceFileSystem & {
  buffers: Map<string, string>;
  calls: string[];
} {
  const buffers = new Map<string, string>();
  const calls: string[] = [];
  return {
    description: 'the test buffers',
    buffers,
    calls,
    async readTextFile({ absolutePath }) {
      calls.push(`read ${absolutePath}`);
      return buffers.get(absolutePath) ?? readFile(absolutePath, 'utf8');
    },
    async writeTextFile({ absolutePath, content }) {
      calls.push(`write ${absolutePath}`);
      buffers.set(absolutePath, content);
    },
  };
}

async function toolsWithBuffers(files: Record<string, string>) {
  const workspace = await createTemporaryWorkspace(files);
  const fileSystem = createBufferFileSystem();
  const tools = await createWorkspaceTools({
    workspace: workspace.root,
    config: {
      checkpoints: { directory: path.join(workspace.parent, 'checkpoints') },
      fetchUrl: { enabled: false },
    },
    fileSystem,
  });
  return {
    ...workspace,
    ...tools,
    fileSystem,
    at: (relative: string) => path.join(tools.jail.root, relative),
  };
}

describe('file tools with a workspace file system', () => {
  it('writes a file into the file system and leaves the disk as it was', async () => {
    const { dispatcher, fileSystem, root, at } = await toolsWithBuffers({ 'a.txt': 'on disk\n' });
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'a.txt', content: 'from the model\n' },
    });
    expect(result.ok).toBe(true);
    expect(result.content).toContain('in the test buffers');
    expect(fileSystem.buffers.get(at('a.txt'))).toBe('from the model\n');
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('on disk\n');
  });

  it('still takes a checkpoint before the write', async () => {
    const { dispatcher } = await toolsWithBuffers({ 'a.txt': 'on disk\n' });
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'a.txt', content: 'x\n' },
    });
    expect(result.checkpointId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('creates a new file through the file system, with its folder on disk', async () => {
    const { dispatcher, fileSystem, root, at } = await toolsWithBuffers({});
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'docs/new.md', content: '# New\n' },
    });
    expect(result.data).toMatchObject({ created: true });
    expect(fileSystem.buffers.get(at('docs/new.md'))).toBe('# New\n');
    await expect(readFile(path.join(root, 'docs/new.md'), 'utf8')).rejects.toThrow();
  });

  it('reads the unsaved text of an open buffer, line ranges included', async () => {
    const { dispatcher, fileSystem, at } = await toolsWithBuffers({ 'a.txt': 'saved\n' });
    fileSystem.buffers.set(at('a.txt'), 'one\nunsaved two\nthree\n');
    const whole = await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(whole.content).toBe('one\nunsaved two\nthree\n');
    const middle = await dispatcher.dispatch({
      name: 'read_file',
      arguments: { path: 'a.txt', startLine: 2, endLine: 2 },
    });
    expect(middle.content).toBe('unsaved two\n[lines 2-2 of 3]');
  });

  it('edits the unsaved text, keeping its CRLF line endings, and leaves the disk alone', async () => {
    const { dispatcher, fileSystem, root, at } = await toolsWithBuffers({ 'a.txt': 'saved\n' });
    fileSystem.buffers.set(at('a.txt'), 'const port = 3000;\r\nunsaved\r\n');
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'a.txt', edits: [{ search: 'port = 3000', replace: 'port = 8080' }] },
    });
    expect(result.ok).toBe(true);
    expect(fileSystem.buffers.get(at('a.txt'))).toBe('const port = 8080;\r\nunsaved\r\n');
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('saved\n');
  });

  it.each([
    ['outside the workspace', '../outside/secret.txt', 'outside_workspace'],
    ['a denied secret', '.env', 'deny_glob'],
    ['inside .git', '.git/config', 'git_directory'],
  ])('refuses a write %s before the file system is called', async (_case, target, rule) => {
    const { dispatcher, fileSystem } = await toolsWithBuffers({ '.env': 'KEY=1\n', '.git/config': '' });
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: target, content: 'x' },
    });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe(`path_denied_${rule}`);
    expect(fileSystem.calls).toEqual([]);
  });

  it('refuses to read a denied file or a symlink out of the workspace before the file system is called', async () => {
    const { dispatcher, fileSystem, root, outside } = await toolsWithBuffers({ '.env': 'KEY=1\n' });
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    for (const target of ['.env', 'link.txt']) {
      const result = await dispatcher.dispatch({ name: 'read_file', arguments: { path: target } });
      expect(result.ok).toBe(false);
    }
    expect(fileSystem.calls).toEqual([]);
  });

  it('reports a missing file without asking the file system', async () => {
    const { dispatcher, fileSystem } = await toolsWithBuffers({});
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'gone.txt', edits: [{ search: 'a', replace: 'b' }] },
    });
    expect(result.ok).toBe(false);
    expect(fileSystem.calls).toEqual([]);
  });
});
