import { describe, expect, it } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

// A file named `notes\ninjected.ts` printed raw reads as two entries of a listing (or a search result line
// the file does not have); names with line breaks, control characters or direction overrides are shown as JSON
// strings, which is also how the model names them back.
const newline = 'notes\ninjected.ts';
const override = 'invoice\u202Efdp.exe';

describe('file names that could forge tool output', () => {
  it.each(['walker', 'auto'] as const)(
    'are shown as JSON strings by list_files, glob and search (%s)',
    async (engine) => {
      const { root } = await createTemporaryWorkspace({
        [newline]: 'needle\n',
        [override]: 'needle\n',
        'plain.txt': 'needle\n',
      });
      const { dispatcher } = await fileToolsFor(root, engine === 'walker' ? { searchEngine: 'walker' } : {});
      const listed = await dispatcher.dispatch({ name: 'list_files', arguments: {} });
      expect(listed.content.split('\n')).toEqual([
        '"invoice\\u202efdp.exe"',
        '"notes\\ninjected.ts"',
        'plain.txt',
      ]);
      expect(listed.data).toMatchObject({ entries: [override, newline, 'plain.txt'] });
      const globbed = await dispatcher.dispatch({ name: 'glob', arguments: { pattern: '*' } });
      expect(globbed.content.split('\n')).toHaveLength(3);
      const searched = await dispatcher.dispatch({ name: 'search', arguments: { pattern: 'needle' } });
      expect(searched.content.split('\n')).toEqual([
        '"invoice\\u202efdp.exe":1: needle',
        '"notes\\ninjected.ts":1: needle',
        'plain.txt:1: needle',
      ]);
    },
  );

  it('can be read, written and edited by the name the listing shows, decoded as JSON', async () => {
    const { root } = await createTemporaryWorkspace({ [newline]: 'needle\n' });
    const { dispatcher } = await fileToolsFor(root);
    const name = JSON.parse(
      (await dispatcher.dispatch({ name: 'list_files', arguments: {} })).content,
    ) as string;
    expect((await dispatcher.dispatch({ name: 'read_file', arguments: { path: name } })).content).toBe(
      'needle\n',
    );
    const edited = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: name, edits: [{ search: 'needle', replace: 'thread' }] },
    });
    expect(edited.content.split('\n').slice(0, 4)).toEqual([
      'Edited "notes\\ninjected.ts":',
      '===================================================================',
      '--- "a/notes\\ninjected.ts"',
      '+++ "b/notes\\ninjected.ts"',
    ]);
    const written = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: name, content: 'x' },
    });
    expect(written.content).toBe('Wrote "notes\\ninjected.ts" (1 bytes).');
  });
});
