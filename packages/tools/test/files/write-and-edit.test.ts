import { chmod, readdir, readFile, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

describe('write_file', () => {
  it('creates a file and its missing directories', async () => {
    const { root } = await createTemporaryWorkspace();
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'deep/new/file.txt', content: 'hello\n' },
    });
    expect(result).toMatchObject({ ok: true, data: { created: true } });
    expect(await readFile(path.join(root, 'deep/new/file.txt'), 'utf8')).toBe('hello\n');
  });

  it('keeps the permission bits, CRLF line endings and byte order mark of an existing file', async () => {
    const { root } = await createTemporaryWorkspace({ 'run.sh': '\uFEFFecho a\r\necho b\r\n' });
    await chmod(path.join(root, 'run.sh'), 0o755);
    const { dispatcher } = await fileToolsFor(root);
    await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'run.sh', content: 'echo c\necho d\n' },
    });
    expect(await readFile(path.join(root, 'run.sh'), 'utf8')).toBe('\uFEFFecho c\r\necho d\r\n');
    expect((await stat(path.join(root, 'run.sh'))).mode & 0o777).toBe(0o755);
  });

  // Writes stage in .herd/tmp (which ignores itself in git), so even a write killed halfway leaves nothing in the
  // user's folders; the only new entry is .herd.
  it('leaves no temporary file behind', async () => {
    const { root } = await createTemporaryWorkspace();
    const { dispatcher } = await fileToolsFor(root);
    await dispatcher.dispatch({ name: 'write_file', arguments: { path: 'a.txt', content: 'x' } });
    expect(await readdir(root)).toEqual(['.herd', 'a.txt']);
    expect(await readdir(path.join(root, '.herd/tmp'))).toEqual([]);
    expect(await readFile(path.join(root, '.herd/.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('replaces a symlink inside the workspace instead of writing through it', async () => {
    const { root } = await createTemporaryWorkspace({ 'target.txt': 'original' });
    await symlink('target.txt', path.join(root, 'link.txt'));
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'write_file',
      arguments: { path: 'link.txt', content: 'new' },
    });
    expect(result.data).toMatchObject({ path: 'target.txt' });
    expect(await readFile(path.join(root, 'target.txt'), 'utf8')).toBe('new');
  });

  it.each([
    ['.git/hooks/pre-commit', 'path_denied_git_directory'],
    ['../outside/planted.txt', 'path_denied_outside_workspace'],
    ['.env.local', 'path_denied_deny_glob'],
  ])('refuses to write %s', async (target, code) => {
    const { root } = await createTemporaryWorkspace({ '.git/HEAD': 'ref' });
    const { dispatcher } = await fileToolsFor(root);
    expect(
      (await dispatcher.dispatch({ name: 'write_file', arguments: { path: target, content: 'x' } })).error
        ?.code,
    ).toBe(code);
  });
});

describe('edit_file', () => {
  const source = 'function add(a, b) {\n  return a + b;\n}\n\nfunction sub(a, b) {\n  return a - b;\n}\n';

  it('applies an exact search/replace and returns the diff', async () => {
    const { root } = await createTemporaryWorkspace({ 'math.js': source });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'math.js', edits: [{ search: '  return a - b;', replace: '  return a - b - 0;' }] },
    });
    expect(result.ok).toBe(true);
    expect(result.content).toContain('+  return a - b - 0;');
    expect(await readFile(path.join(root, 'math.js'), 'utf8')).toBe(source.replace('a - b;', 'a - b - 0;'));
  });

  it('shows the closest candidates when the search text does not occur', async () => {
    const { root } = await createTemporaryWorkspace({ 'math.js': source });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: {
        path: 'math.js',
        edits: [{ search: 'function sub(a,b) {\n    return a-b;', replace: 'x' }],
      },
    });
    expect(result.error?.code).toBe('edit_no_match');
    expect(result.error?.message).toContain('at line 5');
    expect(result.error?.message).toContain('function sub(a, b) {');
    expect(await readFile(path.join(root, 'math.js'), 'utf8')).toBe(source);
  });

  it('lists every matching line when the search text occurs more than once', async () => {
    const { root } = await createTemporaryWorkspace({ 'math.js': source });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'math.js', edits: [{ search: '(a, b) {', replace: '(x, y) {' }] },
    });
    expect(result.error?.code).toBe('edit_ambiguous');
    expect(result.error?.message).toContain('occurs 2 times');
    expect(result.error?.message).toContain('lines 1, 5');
  });

  it('applies all edits or none', async () => {
    const { root } = await createTemporaryWorkspace({ 'math.js': source });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: {
        path: 'math.js',
        edits: [
          { search: 'a + b', replace: 'b + a' },
          { search: 'missing', replace: '' },
        ],
      },
    });
    expect(result.error?.message).toContain('edit 2 of 2');
    expect(await readFile(path.join(root, 'math.js'), 'utf8')).toBe(source);
  });

  it('matches LF search text against a CRLF file and keeps CRLF', async () => {
    const { root } = await createTemporaryWorkspace({ 'win.txt': 'alpha\r\nbeta\r\ngamma\r\n' });
    const { dispatcher } = await fileToolsFor(root);
    await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'win.txt', edits: [{ search: 'alpha\nbeta', replace: 'alpha\nBETA\nextra' }] },
    });
    expect(await readFile(path.join(root, 'win.txt'), 'utf8')).toBe('alpha\r\nBETA\r\nextra\r\ngamma\r\n');
  });

  it('applies a unified diff and rejects one whose context does not match', async () => {
    const { root } = await createTemporaryWorkspace({ 'math.js': source });
    const { dispatcher } = await fileToolsFor(root);
    const diff =
      '--- a/math.js\n+++ b/math.js\n@@ -1,3 +1,3 @@\n function add(a, b) {\n-  return a + b;\n+  return b + a;\n }\n';
    expect((await dispatcher.dispatch({ name: 'edit_file', arguments: { path: 'math.js', diff } })).ok).toBe(
      true,
    );
    expect(await readFile(path.join(root, 'math.js'), 'utf8')).toContain('return b + a;');
    const stale = await dispatcher.dispatch({ name: 'edit_file', arguments: { path: 'math.js', diff } });
    expect(stale.error?.code).toBe('diff_does_not_apply');
  });

  it('requires exactly one of edits and diff', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'a' });
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'edit_file', arguments: { path: 'a.txt' } });
    expect(result.error?.message).toContain('exactly one of edits or diff');
  });

  it('applies concurrent edits of one file one after the other, losing none', async () => {
    const lines = Array.from({ length: 20 }, (_, index) => `value ${index}`);
    const { root } = await createTemporaryWorkspace({ 'values.txt': `${lines.join('\n')}\n` });
    const { dispatcher } = await fileToolsFor(root);
    const results = await Promise.all(
      lines.map((line, index) =>
        dispatcher.dispatch({
          name: 'edit_file',
          arguments: { path: 'values.txt', edits: [{ search: `${line}\n`, replace: `changed ${index}\n` }] },
        }),
      ),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(await readFile(path.join(root, 'values.txt'), 'utf8')).toBe(
      `${lines.map((_, index) => `changed ${index}`).join('\n')}\n`,
    );
  });
});
