import { GuardError } from '@herd/core/errors';

/**
 * Configuration every git process Herd runs on the host gets on its command line (the scope that wins over every
 * file): no hook, fsmonitor, pager, askpass, credential helper, ssh command or signing program is started, no
 * transport may be used (so a partial clone cannot fetch lazily), submodules are not recursed into, and a bare
 * repository planted in the workspace is not picked up. Filter drivers have no global switch: see
 * {@link filterOverrides}.
 */
export const fixedHostGitConfig: readonly (readonly [string, string])[] = [
  ['core.fsmonitor', 'false'],
  ['core.hooksPath', '/dev/null'],
  ['core.pager', 'cat'],
  ['core.askPass', ''],
  ['core.sshCommand', 'false'],
  ['credential.helper', ''],
  ['protocol.allow', 'never'],
  ...['file', 'git', 'ssh', 'http', 'https', 'ext'].map(
    (name) => [`protocol.${name}.allow`, 'never'] as const,
  ),
  ['submodule.recurse', 'false'],
  ['status.submoduleSummary', 'false'],
  ['log.showSignature', 'false'],
  ['commit.gpgSign', 'false'],
  ['tag.gpgSign', 'false'],
  ['safe.bareRepository', 'explicit'],
];

/**
 * The command-line settings that switch off what the configuration files git will read define by name: every
 * filter driver (`filter.<name>.clean`, `.smudge` and `.process` emptied, `.required` off — git runs a clean filter
 * whenever it hashes a work-tree file, even in `git status`) and every per-transport `protocol.<name>.allow`
 * (which would beat `protocol.allow=never`).
 *
 * @param names the configuration keys git lists (`git config --list --name-only`).
 * @throws GuardError `git_config_unsafe` for a driver whose name cannot be given on git's command line (it holds
 *   `=`), so it could not be switched off.
 */
export function namedOverrides(names: readonly string[]): [string, string][] {
  const filters = new Set<string>();
  const protocols = new Set<string>();
  for (const name of names) {
    const first = name.indexOf('.');
    const last = name.lastIndexOf('.');
    if (first === -1 || last === first) continue;
    const section = name.slice(0, first).toLowerCase();
    const subsection = name.slice(first + 1, last);
    const key = name.slice(last + 1).toLowerCase();
    if (section === 'filter') filters.add(subsection);
    else if (section === 'protocol' && key === 'allow') protocols.add(subsection);
  }
  const overrides: [string, string][] = [];
  for (const driver of filters) {
    assertExpressible(driver);
    overrides.push(
      [`filter.${driver}.clean`, ''],
      [`filter.${driver}.smudge`, ''],
      [`filter.${driver}.process`, ''],
      [`filter.${driver}.required`, 'false'],
    );
  }
  for (const protocol of protocols) {
    assertExpressible(protocol);
    overrides.push([`protocol.${protocol}.allow`, 'never']);
  }
  return overrides;
}

/** `git -c` splits at the first `=`, so a name holding one would set some other key. */
function assertExpressible(subsection: string): void {
  if (!subsection.includes('=')) return;
  throw new GuardError({
    code: 'git_config_unsafe',
    message: `The git configuration here defines '${subsection.slice(0, 80)}', a filter or protocol name with '=' that Herd cannot switch off, so Herd runs no git in this repository; remove that section from the repository's git config.`,
    scanner: 'git',
  });
}

/** `-c key=value` pairs as git arguments. */
export function configArguments(pairs: readonly (readonly [string, string])[]): string[] {
  return pairs.flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}
