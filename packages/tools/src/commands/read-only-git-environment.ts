/**
 * The environment read-only git runs with when the command policy allowed it without asking: the command's own,
 * plus `safe.bareRepository=explicit` given the way `git -c` gives it (`GIT_CONFIG_COUNT`, after any the
 * environment already has), so git never takes a folder it discovers for a bare repository.
 *
 * The policy checked that no repository was planted where git would look, but that was before git starts: a
 * folder `write_file` fills with `HEAD`, `objects/`, `refs/` and a `config` between the check and git's own
 * discovery (a parallel tool call wins that race within a few tries) would have its `core.fsmonitor` run. A bare
 * repository is the only kind `write_file` can make (it refuses every path through `.git`), and git honours this
 * setting only from the command line, the environment or the user's own configuration, never from the repository.
 */
export function readOnlyGitEnvironment(environment: Record<string, string>): Record<string, string> {
  const existing = Number.parseInt(environment.GIT_CONFIG_COUNT ?? '0', 10);
  const index = Number.isSafeInteger(existing) && existing > 0 ? existing : 0;
  return {
    ...environment,
    GIT_CONFIG_COUNT: String(index + 1),
    [`GIT_CONFIG_KEY_${index}`]: 'safe.bareRepository',
    [`GIT_CONFIG_VALUE_${index}`]: 'explicit',
  };
}
