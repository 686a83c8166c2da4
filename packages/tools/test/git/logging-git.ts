import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A directory with a `git` that records each command it is asked for (its arguments after Herd's `-c` settings)
 * and runs the real git: put it first on PATH to see which git processes Herd starts.
 */
export function loggingGit(): { path: string; commands: () => string[] } {
  const directory = mkdtempSync(join(tmpdir(), 'herd-logging-git-'));
  const log = join(directory, 'log');
  writeFileSync(log, '');
  writeFileSync(
    join(directory, 'git'),
    `#!/bin/sh
words=""
skip=0
for word in "$@"; do
  if [ $skip = 1 ]; then skip=0; continue; fi
  case "$word" in -c) skip=1 ;; --no-pager) ;; *) words="$words $word" ;; esac
done
echo "$words" >> ${JSON.stringify(log)}
exec ${JSON.stringify(realGit())} "$@"
`,
  );
  chmodSync(join(directory, 'git'), 0o755);
  return {
    path: directory,
    commands: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.trim()),
  };
}

/** The git on PATH, found before the logging one is put in front. */
function realGit(): string {
  for (const directory of (process.env.PATH ?? '').split(':')) {
    const candidate = join(directory, 'git');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  throw new Error('git is not on PATH');
}
