import { open, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

const mebibyte = 1024 * 1024;

/** A file of `size` bytes that starts with `head` and is a hole after it: large on paper, cheap on disk. */
const sparseFile = async (file: string, head: string, size: number) => {
  await writeFile(file, head);
  await truncate(file, size);
};

// Decoding a file of hundreds of megabytes to learn its line endings made V8 abort (FATAL ERROR ... ToLocalChecked)
// and took the whole server down; these files are sparse, so the tests allocate almost nothing.
describe('write_file and edit_file on very large files', () => {
  it('overwrites a 600 MB file, keeping the CRLF line endings and BOM its first bytes show', async () => {
    const { root } = await createTemporaryWorkspace();
    const file = path.join(root, 'dump.csv');
    await sparseFile(file, '\uFEFFid,name\r\n1,a\r\n', 600 * mebibyte);
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'dump.csv', content: 'id,name\n2,b\n' },
    });
    expect(result).toMatchObject({ ok: true, data: { created: false } });
    expect(await readFile(file, 'utf8')).toBe('\uFEFFid,name\r\n2,b\r\n');
  });

  it('refuses to edit a 1.5 GB file, naming the limit and what to use instead, and leaves it alone', async () => {
    const { root } = await createTemporaryWorkspace();
    const file = path.join(root, 'huge.log');
    await sparseFile(file, 'start\n', 1536 * mebibyte);
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'huge.log', edits: [{ search: 'start', replace: 'begin' }] },
    });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('file_too_large');
    expect(result.error?.message).toContain('1.5 GiB');
    expect(result.error?.message).toContain('16 MiB at most');
    expect(result.error?.message).toContain('run_command');
    expect((await stat(file)).size).toBe(1536 * mebibyte);
    // The server is still there to answer the next call.
    const next = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'a.txt', content: 'a' },
    });
    expect(next.ok).toBe(true);
  });

  it('still edits a file just under the limit', async () => {
    const { root } = await createTemporaryWorkspace();
    const file = path.join(root, 'data.txt');
    const line = `${'x'.repeat(1023)}\n`;
    const handle = await open(file, 'w');
    await handle.write(`first\n${line.repeat(15 * 1024)}`);
    await handle.close();
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'data.txt', edits: [{ search: 'first', replace: 'one' }] },
    });
    expect(result.ok).toBe(true);
    expect((await readFile(file, 'utf8')).startsWith('one\nxxx')).toBe(true);
  });
});

describe('read_file past its 64 MiB cap', () => {
  it('says the line lies past what it reads instead of counting only the lines it read', async () => {
    const { root } = await createTemporaryWorkspace();
    const file = path.join(root, 'log.txt');
    // 2000 lines (more than the 8 KB binary sniff), a hole to 70 MiB, then more lines: line 2005 lies past 64 MiB.
    await sparseFile(file, 'line\n'.repeat(2000), 70 * mebibyte);
    const handle = await open(file, 'a');
    await handle.write('\ntail\n'.repeat(10));
    await handle.close();
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'read_file',
      arguments: { path: 'log.txt', startLine: 2005 },
    });
    expect(result.error?.code).toBe('line_out_of_reach');
    expect(result.error?.message).toContain('reads only its first 64 MiB');
    expect(result.error?.message).not.toMatch(/has \d+ lines/);
  });
});
