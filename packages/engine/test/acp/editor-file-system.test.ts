import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspaceTools } from '@herd/tools';
import { describe, expect, it } from 'vitest';
import { createEditorFileSystem } from '../../src/acp/editor-file-system.js';
import { connectEditorPeer } from './editor-peer.js';

/** Herd's tools over a workspace whose files are read and written through an editor over ACP. */
async function toolsThroughEditor(files: Record<string, string>) {
  const workspace = realpathSync(mkdtempSync(join(tmpdir(), 'herd-editor-fs-')));
  for (const [path, content] of Object.entries(files)) writeFileSync(join(workspace, path), content);
  const { client, editor } = connectEditorPeer({ fileSystem: 'buffers' });
  const tools = await createWorkspaceTools({
    workspace,
    config: { checkpoints: { enabled: false }, fetchUrl: { enabled: false } },
    fileSystem: createEditorFileSystem({ client, sessionId: 'session-1' }),
  });
  return { workspace, editor, dispatcher: tools.dispatcher };
}

describe('the editor file system (fs/* over ACP)', () => {
  it('sends an edit through fs/write_text_file into the buffer and leaves the disk alone', async () => {
    const { workspace, editor, dispatcher } = await toolsThroughEditor({
      'add.js': 'return left - right;\n',
    });
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
    });
    expect(result.ok).toBe(true);
    const file = join(workspace, 'add.js');
    expect(editor.calls).toEqual([`fs/read_text_file ${file}`, `fs/write_text_file ${file}`]);
    expect(editor.buffers.get(file)).toBe('return left + right;\n');
    expect(readFileSync(file, 'utf8')).toBe('return left - right;\n');
  });

  it("reads the buffer's unsaved text, not the file on disk", async () => {
    const { workspace, editor, dispatcher } = await toolsThroughEditor({ 'notes.md': 'saved\n' });
    editor.buffers.set(join(workspace, 'notes.md'), 'typed but not saved\n');
    const result = await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'notes.md' } });
    expect(result.content).toBe('typed but not saved\n');
  });

  it.each([
    ['outside the workspace', '../escaped.txt'],
    ['to a denied secret', '.env'],
    ['into .git', '.git/hooks/pre-commit'],
  ])('refuses a write %s before any ACP request', async (_case, path) => {
    const { editor, dispatcher } = await toolsThroughEditor({});
    const result = await dispatcher.dispatch({ name: 'write_file', arguments: { path, content: 'x' } });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toMatch(/^path_denied_/);
    expect(editor.calls).toEqual([]);
  });
});
