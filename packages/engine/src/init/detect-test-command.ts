import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A repository's own test command, and the file it was read from. */
export interface DetectedTestCommand {
  argv: string[];
  /** Where it came from, for a person: `package.json`, `Makefile`, … */
  source: string;
}

/** What `npm init` writes when there is no test: not a test command. */
const npmPlaceholder = /no test specified/;

/**
 * Finds how a repository runs its tests, from the files that say so: a `test` script in `package.json` (run with
 * the package manager its lock file names), a `test` target in a `Makefile`, `Cargo.toml`, `go.mod`, or pytest in
 * `pyproject.toml` (through uv or Poetry when they manage it). The first found in that order wins; `undefined`
 * when none says.
 */
export function detectTestCommand(root: string): DetectedTestCommand | undefined {
  const has = (name: string) => existsSync(join(root, name));
  const read = (name: string): string | undefined => {
    try {
      // A few hundred kilobytes at most are worth reading for this; a larger file is not a manifest.
      const text = readFileSync(join(root, name), 'utf8');
      return text.length > 512 * 1024 ? undefined : text;
    } catch {
      return undefined;
    }
  };
  const script = packageTestScript(read('package.json'));
  if (script !== undefined) {
    const manager = has('pnpm-lock.yaml')
      ? ['pnpm', 'test']
      : has('yarn.lock')
        ? ['yarn', 'test']
        : has('bun.lock') || has('bun.lockb')
          ? ['bun', 'run', 'test']
          : ['npm', 'test'];
    return { argv: manager, source: 'package.json' };
  }
  const makefile = ['Makefile', 'makefile', 'GNUmakefile'].find((name) =>
    /^test\s*:/m.test(read(name) ?? ''),
  );
  if (makefile) return { argv: ['make', 'test'], source: makefile };
  if (has('Cargo.toml')) return { argv: ['cargo', 'test'], source: 'Cargo.toml' };
  if (has('go.mod')) return { argv: ['go', 'test', './...'], source: 'go.mod' };
  const pyproject = read('pyproject.toml');
  if (pyproject && /pytest/.test(pyproject)) {
    const runner = has('uv.lock') ? ['uv', 'run'] : has('poetry.lock') ? ['poetry', 'run'] : [];
    return { argv: [...runner, 'pytest'], source: 'pyproject.toml' };
  }
  return undefined;
}

function packageTestScript(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const test = (JSON.parse(text) as { scripts?: { test?: unknown } }).scripts?.test;
    return typeof test === 'string' && test.trim() !== '' && !npmPlaceholder.test(test) ? test : undefined;
  } catch {
    return undefined;
  }
}
