import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Set once per run to the temporary home every test and every process a test starts shares. */
export const testHomeVariable = 'HERD_TEST_HOME';

/**
 * vitest `globalSetup` (every project runs it; the first call does the work): points `HOME` and the XDG folders at
 * a new temporary home for the whole run, so no test reads or writes the developer's `~/.local/state/herd` (config
 * trust records, ACP sessions), `~/.cache/herd` (checkpoints, a Prompt Guard model set up on this machine),
 * `~/.config` or `~/.gitconfig`. Tests and the processes they start inherit it: spawned with `HOME` alone, a
 * process derives the same folders from it. Removed when the run ends.
 *
 * The home is made under `/var/tmp`, not `/tmp`: a sandboxed command gets a private `/tmp`, which would hide a home
 * there whether or not the sandbox hides the user's home, and the tests that check that it does would prove
 * nothing. npm keeps its own cache (`npm_config_cache`), so `npx` still finds the packages it has there.
 *
 * @returns The teardown that removes the home, from the call that made it.
 */
export function setup(): (() => void) | undefined {
  if (process.env[testHomeVariable]) return undefined;
  const realHome = process.env.HOME || homedir();
  const parent = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  const home = mkdtempSync(join(parent, 'herd-test-home-'));
  const folders = {
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
  };
  for (const folder of Object.values(folders)) mkdirSync(folder, { recursive: true });
  process.env.npm_config_cache ||= join(realHome, '.npm');
  Object.assign(process.env, { [testHomeVariable]: home, HOME: home, ...folders });
  return () => rmSync(home, { recursive: true, force: true });
}
