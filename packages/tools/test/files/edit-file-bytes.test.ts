import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('edit_file keeps what it does not change', () => {
  // A file that is not valid UTF-8 is edited as Latin-1 and written back one byte a character. A replacement
  // with a character Latin-1 has not was written as its low byte: the result said `price: € 😀` while the file got
  // `price: ¬ =\0`, a NUL byte that made it a binary file.
  it('refuses to put a character Latin-1 has not into a Latin-1 file, and writes nothing', async () => {
    const { root } = await createTemporaryWorkspace({ 'prices.txt': latin1('café\nprice: EUR\n') });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'prices.txt', edits: [{ search: 'EUR', replace: '€ 😀' }] },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'encoding_unrepresentable' } });
    expect(result.error?.message).toContain("cannot hold '€' (U+20AC)");
    expect(result.error?.message).toContain('write_file');
    expect(await readFile(path.join(root, 'prices.txt'))).toEqual(latin1('café\nprice: EUR\n'));
    // Latin-1 characters still go in, as one byte each.
    const kept = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'prices.txt', edits: [{ search: 'EUR', replace: '£ ½' }] },
    });
    expect(kept).toMatchObject({ ok: true });
    expect(await readFile(path.join(root, 'prices.txt'))).toEqual(latin1('café\nprice: £ ½\n'));
  });
});
