import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type GitStatus, readGitStatus } from '../../src/context/selection/git-status.js';
import { createRepository } from './pack-fixture.js';

describe('readGitStatus', () => {
  it('reports HEAD, a rename, an untracked file and an ignored directory, with paths from the top', async () => {
    const root = createRepository(
      { '.gitignore': 'dist/\n', 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 1;\n' },
      { git: true },
    );
    execFileSync('git', ['-C', root, 'mv', 'src/a.ts', 'src/renamed.ts']);
    writeFileSync(join(root, 'src/new.ts'), 'export const n = 1;\n');
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist/out.js'), 'built\n');

    const status = await readGitStatus(join(root, 'src'));
    expect(status?.prefix).toBe('src/');
    expect(status?.head).toMatch(/^[0-9a-f]{40}$/);
    const entries = status!.entries.map((entry) => [entry.kind, entry.path.toString()]);
    expect(entries).toEqual(
      expect.arrayContaining([
        ['2', 'src/renamed.ts'],
        ['?', 'src/new.ts'],
        ['!', 'dist/'],
      ]),
    );
    expect(status!.entries.find((entry) => entry.kind === '2')?.record).toContain('\0src/a.ts');
  });

  it('has no HEAD in a repository without commits, and is undefined outside git', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'herd-status-'));
    execFileSync('git', ['-C', fresh, 'init', '-q']);
    writeFileSync(join(fresh, 'a.ts'), 'a\n');
    const status = await readGitStatus(fresh);
    expect(status?.head).toBeUndefined();
    expect(status?.entries.map((entry) => entry.path.toString())).toEqual(['a.ts']);
    const outside = mkdtempSync(join(tmpdir(), 'herd-status-'));
    expect(await readGitStatus(outside)).toBeUndefined();
  });
});

describe('readGitStatus through Herd’s copy of the index', () => {
  /** A work tree with a cache directory, as a first pack leaves it. */
  function workTree(): { root: string; cache: string } {
    const root = createRepository(
      {
        '.gitignore': 'dist/\n',
        'src/a.ts': 'export const a = 1;\n',
        'src/b.ts': 'export const b = 1;\n',
        'docs/readme.md': '# docs\n',
      },
      { git: true },
    );
    const cache = join(root, '.herd', 'cache');
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(root, '.herd', '.gitignore'), '*\n');
    return { root, cache };
  }

  /** What a status says, comparable across runs. */
  const said = (status: GitStatus | undefined) => ({
    head: status?.head,
    indexPath: status?.indexPath,
    entries: status?.entries.map((entry) => `${entry.kind} ${entry.record}`).sort(),
  });

  const copies = (cache: string) => readdirSync(cache).filter((name) => /^git-index-[0-9a-f]+$/.test(name));

  it('prints what git status prints on the index itself, through every kind of change, each right after the last', async () => {
    const { root, cache } = workTree();
    const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { stdio: 'ignore' });
    const steps: [string, () => void][] = [
      ['nothing changed', () => {}],
      ['a file added to a directory', () => writeFileSync(join(root, 'src/new.ts'), 'new\n')],
      ['a second file added there', () => writeFileSync(join(root, 'src/newer.ts'), 'newer\n')],
      [
        'files in new directories',
        () => {
          mkdirSync(join(root, 'lib/deep'), { recursive: true });
          writeFileSync(join(root, 'lib/deep/x.ts'), 'x\n');
        },
      ],
      ['a tracked file edited', () => writeFileSync(join(root, 'src/a.ts'), 'export const a = 2;\n')],
      ['a tracked file removed', () => rmSync(join(root, 'docs/readme.md'))],
      ['an untracked file removed', () => rmSync(join(root, 'lib/deep/x.ts'))],
      [
        '.gitignore now ignoring an untracked file',
        () => writeFileSync(join(root, '.gitignore'), 'dist/\nsrc/new.ts\n'),
      ],
      ['.gitignore no longer ignoring it', () => writeFileSync(join(root, '.gitignore'), 'dist/\n')],
      [
        'an ignored directory filled',
        () => {
          mkdirSync(join(root, 'dist'));
          writeFileSync(join(root, 'dist/out.js'), 'out\n');
        },
      ],
      ['a change staged (the index rewritten)', () => git('add', 'src/a.ts')],
      ['a rename staged', () => git('mv', 'src/b.ts', 'src/renamed.ts')],
      [
        'a file added and its directory’s times set back',
        () => {
          const before = statSync(join(root, 'src'));
          writeFileSync(join(root, 'src/hidden.ts'), 'hidden\n');
          utimesSync(join(root, 'src'), before.atime, before.mtime);
        },
      ],
      [
        'a file replaced by one of the same size',
        () => {
          rmSync(join(root, 'src/newer.ts'));
          writeFileSync(join(root, 'src/newes.ts'), 'newer\n');
        },
      ],
    ];
    for (const [step, change] of steps) {
      change();
      const copied = await readGitStatus(root, { ignored: false, indexCopy: cache });
      expect(copies(cache), step).toHaveLength(1);
      const plain = await readGitStatus(root, { ignored: false });
      expect(said(copied), step).toEqual(said(plain));
    }
  });

  it('never writes the repository’s own index, and sets its copy’s time back to a second before git looked', async () => {
    const { root, cache } = workTree();
    const index = join(root, '.git', 'index');
    const before = statSync(index, { bigint: true });
    for (let run = 0; run < 3; run++) {
      writeFileSync(join(root, `src/added-${run}.ts`), 'added\n');
      await readGitStatus(root, { ignored: false, indexCopy: cache });
    }
    const after = statSync(index, { bigint: true });
    expect([after.ino, after.mtimeNs, after.size]).toEqual([before.ino, before.mtimeNs, before.size]);
    const [copy] = copies(cache);
    // The copy was put in place after git ran (its change time), and its time lies a whole second before git began.
    const { mtimeNs, ctimeNs } = statSync(join(cache, copy!), { bigint: true });
    expect(mtimeNs % 1_000_000_000n).toBe(0n);
    expect(mtimeNs).toBeLessThanOrEqual(ctimeNs - 1_000_000_000n);
  });

  it('gives the same answers to packs that look at once, and leaves one copy', async () => {
    const { root, cache } = workTree();
    writeFileSync(join(root, 'src/new.ts'), 'new\n');
    const plain = said(await readGitStatus(root, { ignored: false }));
    const together = await Promise.all(
      [1, 2, 3].map(() => readGitStatus(root, { ignored: false, indexCopy: cache })),
    );
    for (const status of together) expect(said(status)).toEqual(plain);
    expect(
      readdirSync(cache).filter((name) => name.startsWith('git-index-') && name !== 'git-index-source'),
    ).toHaveLength(1);
  });

  it('looks at the index itself when the cache directory is missing or a link', async () => {
    const { root, cache } = workTree();
    writeFileSync(join(root, 'src/new.ts'), 'new\n');
    const plain = said(await readGitStatus(root, { ignored: false }));
    expect(said(await readGitStatus(root, { ignored: false, indexCopy: join(root, 'nowhere') }))).toEqual(
      plain,
    );
    rmSync(cache, { recursive: true });
    const elsewhere = mkdtempSync(join(tmpdir(), 'herd-status-'));
    symlinkSync(elsewhere, cache);
    expect(said(await readGitStatus(root, { ignored: false, indexCopy: cache }))).toEqual(plain);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('answers as git does for a root below the top that holds a .git of its own making', async () => {
    const { root: top } = workTree();
    const root = join(top, 'src');
    const cache = join(root, '.herd', 'cache');
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(root, '.herd', '.gitignore'), '*\n');
    writeFileSync(join(root, 'new.ts'), 'new\n');
    const plain = said(await readGitStatus(root, { ignored: false }));
    // An index of another repository where the usual place would be, then a link to one: neither is git's.
    const other = workTree().root;
    mkdirSync(join(root, '.git'));
    copyFileSync(join(other, '.git', 'index'), join(root, '.git', 'index'));
    expect(said(await readGitStatus(root, { ignored: false }))).toEqual(plain);
    expect(said(await readGitStatus(root, { ignored: false, indexCopy: cache }))).toEqual(plain);
    rmSync(join(cache), { recursive: true });
    mkdirSync(cache);
    rmSync(join(root, '.git', 'index'));
    symlinkSync(join(other, '.git', 'index'), join(root, '.git', 'index'));
    expect(said(await readGitStatus(root, { ignored: false, indexCopy: cache }))).toEqual(plain);
    // What git answered is remembered for the next look: the work tree's own index, not the planted one.
    expect(readFileSync(join(cache, 'git-index-source'), 'utf8')).toBe(join(top, '.git', 'index'));
  });
});
