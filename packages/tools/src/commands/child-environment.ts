/** Environment variables passed to commands by default: locale, paths and terminal settings, never credentials. */
export const defaultEnvironmentAllowList: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TERM',
  'TZ',
  'TMPDIR',
  'CI',
  'NODE_ENV',
  'NODE_OPTIONS',
  'JAVA_HOME',
  'GOPATH',
  'GOROOT',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'PYTHONPATH',
  'VIRTUAL_ENV',
];

const secretLooking = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE)/i;

const matchesName = (pattern: string, name: string): boolean =>
  pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;

/**
 * Builds a child's environment from an allow list. Built-in names that look like secrets are dropped even if a
 * wildcard admits them; names the configuration lists explicitly are passed as asked.
 */
export function buildChildEnvironment(options: {
  source?: NodeJS.ProcessEnv;
  extraAllowed?: readonly string[];
}): Record<string, string> {
  const { source = process.env, extraAllowed = [] } = options;
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const explicitly = extraAllowed.some((pattern) => matchesName(pattern, name));
    const byDefault =
      defaultEnvironmentAllowList.some((pattern) => matchesName(pattern, name)) && !secretLooking.test(name);
    if (explicitly || byDefault) environment[name] = value;
  }
  environment.NO_COLOR = '1';
  environment.HERD = '1';
  return environment;
}
