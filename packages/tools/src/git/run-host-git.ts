import {
  findHostProgram,
  GuardError,
  HerdError,
  type HostProcessResult,
  isWithin,
  launchHostProcess,
  realLocation,
  SystemError,
} from '@herd/core';
import { configArguments, fixedHostGitConfig, namedOverrides } from './host-git-overrides.js';
import { assertConfigurationOutOfReach, parseListedConfig } from './listed-git-configuration.js';

/** Options for {@link runHostGit}. */
export interface HostGitOptions {
  /** git's arguments (subcommand first); Herd's global options and `-c` settings go before them. */
  args: readonly string[];
  /** Where git runs; it finds the repository from here unless `environment` names `GIT_DIR`. */
  cwd: string;
  /**
   * The directory the model can write (the workspace), when git runs elsewhere in the repository (its top, for
   * `herd ci --commit`). Default `cwd`. Configuration git reads from a file in it is refused (see
   * {@link assertConfigurationOutOfReach}).
   */
  workspace?: string;
  /**
   * Extra environment on top of a minimal one (`PATH`, `HOME`, `XDG_CONFIG_HOME` and where the user's git settings
   * are, `LANG=C`, no pager, no prompt); nothing else of Herd's environment reaches git (no other `GIT_*`
   * variable, no API key).
   */
  environment?: Record<string, string | undefined>;
  /**
   * The repository's configuration is Herd's own (the checkpoint store's shadow repository, named by `GIT_DIR` in
   * `environment`): no system or global file is read either, so there is nothing to list and switch off.
   */
  ownConfiguration?: boolean;
  /** Written to git's stdin (e.g. a patch for `git apply`); stdin is empty otherwise. */
  input?: string | Uint8Array;
  signal?: AbortSignal;
  /** Bytes of stdout kept. Default 64 MB. */
  maxBuffer?: number;
  /**
   * Called once git is started for the command itself, after the configuration was listed and checked: the
   * caller's thread is free for other work while git runs, and work done before would have held git's start back.
   */
  onStarted?: () => void;
}

/** How a git process ended. */
export interface HostGitResult {
  /** git's exit code (non-zero is not an error here: callers decide what it means). */
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs one git process on the host so that nothing the repository (or anything in the workspace) configures can
 * run code: this is how every git process Herd starts outside the sandbox runs — the `git_status` and `git_diff`
 * tools, the packer's listings, the checkpoint store and `herd ci --commit`.
 *
 * - {@link fixedHostGitConfig} turns off hooks (`core.hooksPath=/dev/null`), fsmonitor, pager, askpass, credential
 *   helpers, `core.sshCommand`, signing and every transport, and does not recurse into submodules;
 * - the configuration git is about to read is listed first (same directory, same environment) and every filter
 *   driver it defines is emptied and every per-protocol allow reset on the command line, which beats every file
 *   (git has no switch that turns all filters off, and runs clean filters even in `git status`);
 * - as git reads the files again when the command runs, none of them (nor any file they include) may be one the
 *   model can write in the meantime: configuration from inside the workspace, outside its `.git`, is refused;
 * - a work tree (`core.worktree`) that does not hold the directory git runs in is refused;
 * - the environment is minimal, so no inherited `GIT_*` variable (`GIT_EXTERNAL_DIFF`, `GIT_SSH_COMMAND`,
 *   `GIT_CONFIG_PARAMETERS`, ...) reaches git;
 * - git itself is found on `PATH` without its relative entries and those inside the directory it runs in (see
 *   {@link findHostProgram}): `npx` and package scripts put the workspace's `node_modules/.bin` first, where a model
 *   could have left a program named `git`.
 *
 * Callers add what depends on the subcommand: `--no-ext-diff --no-textconv` for diffs, `--ignore-submodules` for
 * `status`/`diff` (git spawns a `git status` inside each submodule otherwise, with the submodule's own config).
 *
 * @throws SystemError `git_unavailable` when git cannot be started, `git_output_too_large` past `maxBuffer`,
 *   `host_launcher_unavailable` / `host_launcher_exited` when the process that starts it cannot (see
 *   {@link launchHostProcess});
 *   GuardError `git_config_unsafe` when the configuration defines a filter that cannot be switched off, comes
 *   from a file in the workspace, or moves the work tree away from `cwd`.
 */
export async function runHostGit(options: HostGitOptions): Promise<HostGitResult> {
  if (options.ownConfiguration && !options.environment?.GIT_DIR) {
    throw new SystemError({
      code: 'git_directory_missing',
      message:
        'runHostGit was asked to use its own configuration without GIT_DIR naming the repository (a bug).',
    });
  }
  const environment = hostGitEnvironment({
    ...(options.ownConfiguration
      ? { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_ATTR_NOSYSTEM: '1' }
      : {}),
    ...options.environment,
  });
  // The directory git runs in holds the workspace (it is the workspace, or the repository's top around it).
  const { executable, searchPath } = await findHostProgram('git', {
    workspace: options.cwd,
    searchPath: environment.PATH ?? '',
  });
  environment.PATH = searchPath;
  const fixed = configArguments(fixedHostGitConfig);
  const subcommand = options.args[0] ?? '';
  if (options.ownConfiguration) {
    return spawn({ ...options, args: [...fixed, ...options.args], environment, subcommand, executable });
  }
  // The listing and the check below start git too; only the command itself is reported as started.
  const { onStarted, ...checking } = options;
  const run = (named: readonly string[], args: readonly string[], started?: () => void) =>
    spawn({
      ...checking,
      args: [...fixed, ...named, ...args],
      environment,
      subcommand,
      executable,
      ...(started ? { onStarted: started } : {}),
    });
  const listed = await listConfiguration({
    key: JSON.stringify([executable, options.cwd, Object.entries(environment).sort()]),
    shared: options.signal === undefined,
    list: () =>
      spawn({
        args: [...fixed, 'config', '--list', '--show-origin', '-z'],
        cwd: options.cwd,
        environment,
        subcommand,
        executable,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
  });
  if (listed.exitCode !== 0) {
    // git would fail to read the same configuration for the real command too; say why rather than run it blind.
    return listed;
  }
  const entries = parseListedConfig(listed.stdout.toString('utf8'));
  assertConfigurationOutOfReach({
    entries,
    cwd: options.cwd,
    reach: options.workspace ?? options.cwd,
    environment,
  });
  const named = configArguments(namedOverrides(entries.map((entry) => entry.name)));
  if (entries.some((entry) => entry.name.toLowerCase() === 'core.worktree')) {
    assertWorkTreeHolds(options.cwd, await run(named, ['rev-parse', '--show-toplevel']));
  }
  return run(named, options.args, onStarted);
}

// Listings under way, by executable, directory and environment: what git would read for each of them.
const listingsUnderWay = new Map<string, Promise<HostGitResult>>();

/**
 * Lists the configuration git reads for a command, or takes the listing another command with the same executable,
 * directory and environment has under way: the packer starts several git commands at once, and each listing is a
 * process of its own. A listing is shared only while it runs; one taken that way is no older than the caller's own
 * would have been by more than the time it had run, and the files it names are out of the model's reach (checked
 * afterwards by every caller), so nothing can change them in between. A caller with a signal lists on its own, so
 * that cancelling one command never fails another.
 */
function listConfiguration(options: {
  key: string;
  shared: boolean;
  list: () => Promise<HostGitResult>;
}): Promise<HostGitResult> {
  if (!options.shared) return options.list();
  const underWay = listingsUnderWay.get(options.key);
  if (underWay) return underWay;
  const listing = options.list();
  listingsUnderWay.set(options.key, listing);
  const done = () => {
    if (listingsUnderWay.get(options.key) === listing) listingsUnderWay.delete(options.key);
  };
  listing.then(done, done);
  return listing;
}

/**
 * `core.worktree` can name any directory as the work tree; run from outside it, git works on that directory as a
 * whole (`git diff` would show the files of the home directory). Herd's git runs only where the work tree holds the
 * directory it runs in, so its pathspecs (`-- .`, `--relative`) keep it to the workspace.
 */
function assertWorkTreeHolds(cwd: string, shown: HostGitResult): void {
  // Without a work tree the command itself fails the same way.
  if (shown.exitCode !== 0) return;
  const top = realLocation(shown.stdout.toString('utf8').replace(/\n$/, ''));
  if (isWithin(realLocation(cwd), top)) return;
  throw new GuardError({
    code: 'git_config_unsafe',
    message: `The repository's work tree (core.worktree) is ${top}, which does not hold ${cwd}, so git would show and hash files outside the workspace; Herd runs no git here. Remove core.worktree from the repository's git config.`,
    scanner: 'git',
  });
}

/** The environment git runs with: minimal, GIT_*-free apart from what Herd sets. */
function hostGitEnvironment(extra: HostGitOptions['environment']): Record<string, string> {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME,
    // Where the user keeps git's settings is the user's choice, out of a repository's reach.
    GIT_CONFIG_GLOBAL: process.env.GIT_CONFIG_GLOBAL,
    GIT_CONFIG_SYSTEM: process.env.GIT_CONFIG_SYSTEM,
    GIT_CONFIG_NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM,
    LANG: 'C',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
  };
  // An extra variable left undefined keeps the minimal environment's value.
  const merged = { ...base, ...Object.fromEntries(Object.entries(extra ?? {}).filter(([, value]) => value)) };
  return Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * Starts git with exactly the given environment and collects its output, through {@link launchHostProcess}: past
 * the first few git processes a small launcher process starts them, so that Herd's own (large) process is not
 * forked for each one.
 */
async function spawn(
  options: HostGitOptions & { environment: Record<string, string>; subcommand: string; executable: string },
): Promise<HostGitResult> {
  const maxBuffer = options.maxBuffer ?? 64 * 1024 * 1024;
  let ended: HostProcessResult;
  try {
    const launched = launchHostProcess({
      executable: options.executable,
      args: ['--no-pager', ...options.args],
      cwd: options.cwd,
      env: options.environment,
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.signal ? { signal: options.signal } : {}),
      maxBuffer,
    });
    options.onStarted?.();
    ended = await launched;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('git was cancelled');
    const code = HerdError.find(error)?.code;
    if (code === 'host_output_too_large') {
      throw new SystemError({
        code: 'git_output_too_large',
        message: `git ${options.subcommand} printed more than ${maxBuffer} bytes; narrow what it is asked for.`,
        cause: error,
      });
    }
    if (code === 'host_program_unstartable') {
      throw new SystemError({
        code: 'git_unavailable',
        message: `git could not be started in ${options.cwd} (${((error as Error).cause as Error).message}); install git or check the directory.`,
        cause: error,
      });
    }
    // The launcher could not be started or ended (host_launcher_*): its own message says what to do.
    throw error;
  }
  if (ended.exitCode === null) {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('git was cancelled');
    throw new SystemError({
      code: 'git_unavailable',
      message: `git could not be started in ${options.cwd} (it was stopped by ${ended.signal ?? 'a signal'}); install git or check the directory.`,
    });
  }
  return { exitCode: ended.exitCode, stdout: ended.stdout, stderr: ended.stderr.toString('utf8') };
}
