import { open, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

describe('read_file', () => {
  it('returns the content exactly as stored', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\ntwo\n' });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'a.txt' } });
    expect(result).toMatchObject({
      ok: true,
      content: 'one\ntwo\n',
      data: { totalLines: 2, truncated: false, lineEnding: 'lf' },
    });
  });

  it('reports the last line read without counting the final newline as a line', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'hi\n' });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'read_file',
      arguments: { path: 'a.txt', endLine: 50 },
    });
    expect(result).toMatchObject({
      content: 'hi\n',
      data: { startLine: 1, endLine: 1, totalLines: 1, truncated: false },
    });
  });

  it('returns a line range and says how to read on', async () => {
    const text = Array.from({ length: 50 }, (_, index) => `line ${index + 1}`).join('\n');
    const { root } = await createTemporaryWorkspace({ 'long.txt': text });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'read_file',
      arguments: { path: 'long.txt', startLine: 10, endLine: 12 },
    });
    expect(result.content.startsWith('line 10\nline 11\nline 12\n')).toBe(true);
    expect(result.content).toContain('[lines 10-12 of 50]');
  });

  it('keeps CRLF line endings and reports them', async () => {
    const { root } = await createTemporaryWorkspace({ 'win.txt': 'a\r\nb\r\n' });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'win.txt' } });
    expect(result).toMatchObject({ content: 'a\r\nb\r\n', data: { lineEnding: 'crlf' } });
  });

  it('recognises binary files and does not return their bytes', async () => {
    const { root } = await createTemporaryWorkspace({
      'image.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]),
    });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'image.png' } });
    expect(result).toMatchObject({ ok: true, data: { binary: true } });
    expect(result.content).toContain('binary file (8 bytes)');
  });

  it('decodes non-UTF-8 text as Latin-1 and says so', async () => {
    const { root } = await createTemporaryWorkspace({
      'latin.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]),
    });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'latin.txt' } });
    expect(result.content).toContain('café');
    expect(result.content).toContain('decoded as Latin-1');
  });

  it('caps a huge file and reads only a bounded part of it', async () => {
    const { root } = await createTemporaryWorkspace();
    const handle = await open(path.join(root, 'huge.log'), 'w');
    const line = `${'x'.repeat(99)}\n`;
    const block = line.repeat(10_000);
    for (let index = 0; index < 50; index += 1) await handle.write(block);
    await handle.close();
    const { dispatcher } = await fileToolsFor(root, { readLimitBytes: 10_000 });
    const result = await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'huge.log' } });
    expect(result.ok).toBe(true);
    expect(result.content.length).toBeLessThan(12_000);
    expect(result.data).toMatchObject({ truncated: true, bytes: 50_000_000, startLine: 1, endLine: 100 });
    const far = await dispatcher.dispatch({
      name: 'read_file',
      arguments: { path: 'huge.log', startLine: 400_000, endLine: 400_001 },
    });
    expect(far.content.startsWith(`${line}${line}`)).toBe(true);
  });

  it('tells the model a directory is not a file and a missing path does not exist', async () => {
    const { root } = await createTemporaryWorkspace({ 'src/a.ts': '' });
    const { dispatcher } = await fileToolsFor(root);
    const directory = await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'src' } });
    expect(directory.error).toMatchObject({ code: 'is_a_directory' });
    expect(directory.error?.message).toContain('list_files');
    const missing = await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'nope.ts' } });
    expect(missing.error?.code).toBe('path_not_found');
  });

  it('refuses paths the jail refuses, naming the rule', async () => {
    const { root, outside } = await createTemporaryWorkspace({ '.env': 'LLAMA_API_KEY=sk-1' });
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    const { dispatcher } = await fileToolsFor(root);
    expect((await dispatcher.dispatch({ name: 'read_file', arguments: { path: '.env' } })).error?.code).toBe(
      'path_denied_deny_glob',
    );
    expect(
      (await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'link.txt' } })).error?.code,
    ).toBe('path_denied_symlink_escape');
    expect(
      (await dispatcher.dispatch({ name: 'read_file', arguments: { path: '../outside/secret.txt' } }))
        .content,
    ).not.toContain('outside secret');
  });

  it('refuses a line range that ends before it starts or starts past the end', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'a\nb\n' });
    const { dispatcher } = await fileToolsFor(root);
    expect(
      (
        await dispatcher.dispatch({
          name: 'read_file',
          arguments: { path: 'a.txt', startLine: 3, endLine: 2 },
        })
      ).error?.code,
    ).toBe('invalid_line_range');
    expect(
      (await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'a.txt', startLine: 9 } })).error
        ?.code,
    ).toBe('invalid_line_range');
  });
});
