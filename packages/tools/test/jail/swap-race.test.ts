import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileToolsFor } from '../files/file-tools.js';
import { installedProgram } from '../installed-program.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Whether python3 can call renameat2 here (glibc 2.28 or later); the reason to skip otherwise. */
const exchangeUnavailable = (() => {
  try {
    execFileSync('python3', ['-c', 'import ctypes; ctypes.CDLL(None).renameat2'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'python3 with a libc that has renameat2 is not available';
  }
})();
if (exchangeUnavailable) console.warn(`Skipping the RENAME_EXCHANGE race: ${exchangeUnavailable}.`);
const hasRipgrep = (await installedProgram('rg')) !== undefined;

// Markers that exist only outside the workspace: no tool result may ever contain one.
const outsideContent = 'OUTSIDE-MARKER';
const outsideName = 'zq-outside-name';

/** Every file under a directory with its content, to compare before and after the race. */
const snapshot = async (directory: string): Promise<Record<string, string>> => {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries) {
    const absolute = path.join(entry.parentPath, entry.name);
    files[path.relative(directory, absolute)] = entry.isFile() ? await readFile(absolute, 'utf8') : '<dir>';
  }
  return files;
};

/**
 * Runs the tools in parallel rounds while an attacker process swaps the workspace folder `dir` with `swap`, a
 * symlink to a folder outside the workspace, by name (as a sandboxed command can). Returns every tool result.
 */
async function raceTools(options: { attacker: string[]; seconds: number }) {
  const { root, parent } = await createTemporaryWorkspace();
  const outside = path.join(parent, 'outside');
  await mkdir(path.join(root, 'dir'));
  for (let index = 0; index < 4; index += 1) {
    await writeFile(path.join(root, 'dir', `e-${index}.txt`), 'needle inside\n');
    await writeFile(path.join(outside, `e-${index}.txt`), `needle ${outsideContent}\n`);
  }
  await writeFile(path.join(outside, `${outsideName}.txt`), `needle ${outsideContent}\n`);
  await mkdir(path.join(outside, `${outsideName}-folder`));
  await symlink(outside, path.join(root, 'swap'));
  const before = await snapshot(outside);

  const { dispatcher } = await fileToolsFor(root);
  const walker = (await fileToolsFor(root, { searchEngine: 'walker' })).dispatcher;
  const [program, ...args] = options.attacker;
  const attacker = spawn(program!, [...args, 'dir', 'swap', String(options.seconds)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(attacker, 'exit');
  const lines = createInterface({ input: attacker.stdout });
  const [ready] = await once(lines, 'line');
  expect(ready).toBe('ready');
  let running = true;
  void exited.then(() => {
    running = false;
  });

  const results: Array<{ name: string; result: unknown }> = [];
  const call = (tools: typeof dispatcher, name: string, input: Record<string, unknown>, label = name) =>
    tools.dispatch({ name, arguments: input }).then((result) => ({ name: label, result }));
  const round = (index: number) => {
    const calls = [
      call(dispatcher, 'write_file', { path: `dir/w-${index % 8}.txt`, content: `planted ${index}\n` }),
      call(dispatcher, 'write_file', { path: `dir/new-${index % 3}/w.txt`, content: `planted ${index}\n` }),
      call(dispatcher, 'edit_file', {
        path: `dir/e-${index % 4}.txt`,
        edits: [{ search: 'needle', replace: 'needle!' }],
      }),
      call(dispatcher, 'read_file', { path: `dir/e-${index % 4}.txt` }),
      call(dispatcher, 'list_files', { path: 'dir' }),
      call(dispatcher, 'list_files', { path: '.', recursive: true }),
      call(dispatcher, 'glob', { pattern: '**/*' }),
      call(walker, 'search', { pattern: 'needle' }, 'search (walker)'),
      call(walker, 'search', { pattern: 'needle', path: 'dir' }, 'search (walker)'),
    ];
    if (hasRipgrep) {
      calls.push(
        call(dispatcher, 'search', { pattern: 'needle' }, 'search (ripgrep)'),
        call(dispatcher, 'search', { pattern: 'needle', path: 'dir' }, 'search (ripgrep)'),
      );
    }
    return Promise.all(calls);
  };
  let rounds = 0;
  while (running) {
    rounds += 1;
    results.push(...(await round(rounds)));
  }
  const [code] = await exited;
  expect(code).toBe(0);
  return { before, after: await snapshot(outside), results, rounds, settled: await round(0) };
}

describe('the jail under a directory swap race', () => {
  const check = async (attacker: string[]) => {
    const { before, after, results, rounds, settled } = await raceTools({ attacker, seconds: 5 });
    expect(rounds).toBeGreaterThan(5);
    // Which calls brought back anything from outside (content or name), counted per tool.
    const leaks: Record<string, number> = {};
    for (const { name, result } of results) {
      const text = JSON.stringify(result);
      if (text.includes(outsideContent) || text.includes(outsideName)) leaks[name] = (leaks[name] ?? 0) + 1;
    }
    // Nothing was created, changed or removed outside the workspace, and nothing from there came back.
    expect({ outside: after, leaks }).toEqual({ outside: before, leaks: {} });
    // Once the swapping stops, every tool works on the folder as usual.
    for (const { name, result } of settled)
      expect({ name, result }).toMatchObject({ name, result: { ok: true } });
    const listed = settled.find(({ name }) => name === 'list_files')!.result as { content: string };
    expect(listed.content).toContain('dir/e-0.txt');
  };

  it.skipIf(exchangeUnavailable !== undefined)(
    'writes, edits, reads, lists and searches nothing outside while renameat2(RENAME_EXCHANGE) swaps a folder for an outside symlink',
    async () => {
      await check(['python3', path.join(fixtures, 'exchange-directories.py')]);
    },
    120_000,
  );

  it('holds the same while plain rename() calls swap the folder and the symlink', async () => {
    await check([process.execPath, path.join(fixtures, 'alternate-directories.mjs')]);
  }, 120_000);
});

// The swapped-in symlink can point inside the workspace too: at `.git`, whose config can hold credentials in remote
// URLs. The file a read opened was checked to be inside the workspace only, so `dir/config` read `.git/config`.
describe('the jail under a swap race towards a refused folder inside the workspace', () => {
  const secret = 'GIT-CONFIG-MARKER';
  const race = async (attacker: string[]) => {
    const { root } = await createTemporaryWorkspace({
      '.git/config': `[remote "origin"]\n\turl = https://user:${secret}@example.com/repo.git\n`,
      'dir/config': 'url = decoy\n',
    });
    await symlink('.git', path.join(root, 'swap'));
    const { dispatcher } = await fileToolsFor(root);
    const walker = (await fileToolsFor(root, { searchEngine: 'walker' })).dispatcher;
    const [program, ...args] = attacker;
    const swapper = spawn(program!, [...args, 'dir', 'swap', '5'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(swapper, 'exit');
    const [ready] = await once(createInterface({ input: swapper.stdout }), 'line');
    expect(ready).toBe('ready');
    let running = true;
    void exited.then(() => {
      running = false;
    });
    const leaks: Record<string, number> = {};
    let rounds = 0;
    while (running) {
      rounds += 1;
      const calls: Array<[string, Promise<unknown>]> = [
        ['read_file', dispatcher.dispatch({ name: 'read_file', arguments: { path: 'dir/config' } })],
        ['search (walker)', walker.dispatch({ name: 'search', arguments: { pattern: 'url', path: 'dir' } })],
      ];
      if (hasRipgrep) {
        calls.push([
          'search (ripgrep)',
          dispatcher.dispatch({ name: 'search', arguments: { pattern: 'url' } }),
        ]);
      }
      for (const [name, result] of calls) {
        if (JSON.stringify(await result).includes(secret)) leaks[name] = (leaks[name] ?? 0) + 1;
      }
    }
    expect((await exited)[0]).toBe(0);
    expect(rounds).toBeGreaterThan(5);
    expect(leaks).toEqual({});
    // Once the swapping stops, the decoy reads as usual.
    expect(await dispatcher.dispatch({ name: 'read_file', arguments: { path: 'dir/config' } })).toMatchObject(
      {
        ok: true,
        content: 'url = decoy\n',
      },
    );
  };

  it.skipIf(exchangeUnavailable !== undefined)(
    'reads and searches nothing in .git while renameat2(RENAME_EXCHANGE) swaps a folder for a symlink to .git',
    async () => {
      await race(['python3', path.join(fixtures, 'exchange-directories.py')]);
    },
    120_000,
  );
});
