import type { Stats } from 'node:fs';
import { type FileHandle, open, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { fileToolsFor } from './file-tools.js';

const gibibyte = 1024 * 1024 * 1024;

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Plays a writer that grows `file` to 3 GiB (a sparse hole, cheap on disk) right after a tool measured it, as a
 * command appending to the file in parallel can: every `stat()` of an open handle on that file answers with the
 * size it had, then the file grows. Only the timing is arranged; the file and its growth are real.
 */
async function growRightAfterMeasuring(file: string): Promise<void> {
  const { ino } = await stat(file);
  const probe = await open(file);
  const prototype = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  const measure = prototype.stat;
  vi.spyOn(prototype, 'stat').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
    const stats = (await Reflect.apply(measure, this, args)) as Stats;
    if (stats.ino === ino) await truncate(file, 3 * gibibyte);
    return stats;
  });
}

// A size check before reading does not bound the read: Node's readFile() reads on until the end it finds, so a file
// that grew after it was measured was read whole (2 GiB and more, while the writer kept going) before the limit
// was looked at again, or failed with ERR_FS_FILE_TOO_LARGE.
describe('files that grow after they were measured', () => {
  it('edit_file refuses a file that grew past the limit while it was read, and reads no more than the limit', async () => {
    const { root } = await createTemporaryWorkspace({ 'log.txt': 'start\n' });
    const { dispatcher } = await fileToolsFor(root);
    await growRightAfterMeasuring(path.join(root, 'log.txt'));
    const result = await dispatcher.dispatch({
      name: 'edit_file',
      arguments: { path: 'log.txt', edits: [{ search: 'start', replace: 'begin' }] },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'file_too_large' } });
    expect(result.error?.message).toContain('16 MiB at most');
    expect((await stat(path.join(root, 'log.txt'))).size).toBe(3 * gibibyte);
  });

  it('search without ripgrep skips a file that grew past its limit and still finds the others', async () => {
    const { root } = await createTemporaryWorkspace({ 'a/grows.txt': 'needle\n', 'b/kept.txt': 'needle\n' });
    const { dispatcher } = await fileToolsFor(root, { searchEngine: 'walker' });
    await growRightAfterMeasuring(path.join(root, 'a/grows.txt'));
    const result = await dispatcher.dispatch({ name: 'search', arguments: { pattern: 'needle' } });
    expect(result).toMatchObject({ ok: true, data: { matches: [{ path: 'b/kept.txt', line: 1 }] } });
  });
});
