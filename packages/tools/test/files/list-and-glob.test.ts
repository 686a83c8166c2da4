import { describe, expect, it } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

const files = {
  '.gitignore': 'dist/\n*.log\n',
  '.herdignore': 'fixtures/big/\n',
  'src/index.ts': '',
  'src/lib/.gitignore': 'generated.ts\n',
  'src/lib/generated.ts': '',
  'src/lib/util.ts': '',
  'dist/index.js': '',
  'debug.log': '',
  'fixtures/big/data.json': '',
  'fixtures/small.json': '',
  '.env': 'SECRET=1',
  '.git/HEAD': 'ref: refs/heads/main',
};

describe('list_files and glob', () => {
  it('lists a directory, honoring .gitignore, nested .gitignore and .herdignore, hiding .git and secrets', async () => {
    const { root } = await createTemporaryWorkspace(files);
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'list_files', arguments: { recursive: true } });
    expect(result.data).toMatchObject({
      entries: [
        '.gitignore',
        '.herdignore',
        'fixtures/',
        'src/',
        'fixtures/small.json',
        'src/index.ts',
        'src/lib/',
        'src/lib/.gitignore',
        'src/lib/util.ts',
      ],
    });
  });

  it('lists one level by default and applies ignore files of parent directories', async () => {
    const { root } = await createTemporaryWorkspace(files);
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'list_files', arguments: { path: 'src/lib' } });
    expect(result.data).toMatchObject({ entries: ['src/lib/.gitignore', 'src/lib/util.ts'] });
  });

  it('leaves out what a .herdignore in a subfolder ignores, relative to that folder', async () => {
    const { root } = await createTemporaryWorkspace({
      'local.txt': '',
      'packages/app/.herdignore': 'generated/\n/local.txt\n',
      'packages/app/local.txt': '',
      'packages/app/src/generated/types.ts': '',
      'packages/app/src/main.ts': '',
      'packages/lib/generated/kept.ts': '',
    });
    const { dispatcher } = await fileToolsFor(root);
    const listed = await dispatcher.dispatch({
      name: 'list_files',
      arguments: { path: 'packages/app', recursive: true },
    });
    expect(listed.data).toMatchObject({
      entries: ['packages/app/.herdignore', 'packages/app/src/', 'packages/app/src/main.ts'],
    });
    const globbed = await dispatcher.dispatch({ name: 'glob', arguments: { pattern: '**/*.t[sx]*' } });
    expect(globbed.data).toMatchObject({
      paths: ['local.txt', 'packages/app/src/main.ts', 'packages/lib/generated/kept.ts'],
    });
  });

  it('finds files by glob', async () => {
    const { root } = await createTemporaryWorkspace(files);
    const { dispatcher } = await fileToolsFor(root);
    const result = await dispatcher.dispatch({ name: 'glob', arguments: { pattern: '**/*.ts' } });
    expect(result.data).toMatchObject({ paths: ['src/index.ts', 'src/lib/util.ts'] });
  });

  it('says when a path is a file rather than a directory', async () => {
    const { root } = await createTemporaryWorkspace(files);
    const { dispatcher } = await fileToolsFor(root);
    expect(
      (await dispatcher.dispatch({ name: 'list_files', arguments: { path: 'src/index.ts' } })).error?.code,
    ).toBe('not_a_directory');
  });
});
