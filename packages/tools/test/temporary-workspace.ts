import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const created: string[] = [];

afterEach(async () => {
  for (const directory of created.splice(0)) await rm(directory, { recursive: true, force: true });
});

/**
 * Creates a temporary directory with the given files (path → content) inside a parent that also holds an
 * `outside/` folder, so escapes have a real target. Removed after each test.
 */
export async function createTemporaryWorkspace(files: Record<string, string | Uint8Array> = {}) {
  const parent = await mkdtemp(path.join(tmpdir(), 'herd-tools-'));
  created.push(parent);
  const root = path.join(parent, 'workspace');
  const outside = path.join(parent, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'outside secret\n');
  for (const [relative, content] of Object.entries(files)) {
    const absolute = path.join(root, relative);
    await mkdir(path.dirname(absolute), { recursive: true });
    await writeFile(absolute, content);
  }
  return { parent, root, outside };
}
