import { Command, CommanderError } from 'commander';
import { herdVersion } from '../herd-version.js';
import { exitCodes, reportCliError } from './report-cli-error.js';

/** Registers one command on the program. */
type RegisterCommand = (program: Command) => void;

/**
 * Every command, in the order `herd --help` lists them, each loaded from its own file when needed: a command's file
 * imports what its options need (schemas, the run machinery), which the other commands should not pay for at start.
 */
const commandLoaders: ReadonlyMap<string, () => Promise<RegisterCommand>> = new Map([
  ['init', async () => (await import('./commands/init-command.js')).registerInitCommand],
  ['run', async () => (await import('./commands/run-command.js')).registerRunCommand],
  ['ci', async () => (await import('./commands/ci-command.js')).registerCiCommand],
  ['plan', async () => (await import('./commands/plan-command.js')).registerPlanCommand],
  ['act', async () => (await import('./commands/act-command.js')).registerActCommand],
  ['resume', async () => (await import('./commands/resume-command.js')).registerResumeCommand],
  ['sessions', async () => (await import('./commands/sessions-command.js')).registerSessionsCommand],
  ['undo', async () => (await import('./commands/undo-command.js')).registerUndoCommand],
  ['config', async () => (await import('./commands/config-command.js')).registerConfigCommand],
  ['guard', async () => (await import('./commands/guard-command.js')).registerGuardCommand],
  ['mcp', async () => (await import('./commands/mcp-command.js')).registerMcpCommand],
  ['acp', async () => (await import('./commands/acp-command.js')).registerAcpCommand],
  ['pack', async () => (await import('./commands/pack-command.js')).registerPackCommand],
]);

/**
 * The commands a command line needs: the one it begins with; none for `--version` alone; every one otherwise
 * (help lists them all, and a mistyped name is answered with the nearest one).
 */
function commandsFor(argv: readonly string[] | undefined): string[] {
  const all = [...commandLoaders.keys()];
  if (argv === undefined) return all;
  const [first, ...rest] = argv.slice(2);
  if (first !== undefined && commandLoaders.has(first)) return [first];
  return (first === '-v' || first === '--version') && rest.length === 0 ? [] : all;
}

/**
 * Builds the `herd` command line. Each command lives in its own file under `commands/` and registers itself on
 * the program; given the process's argv, only the commands it needs are loaded.
 */
export async function createCliProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('herd')
    .description('Llama 4 Scout plans, Maverick acts, Prompt Guard 2 and Llama Guard 4 check every step.')
    .version(herdVersion, '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const names = commandsFor(argv);
  const registers = await Promise.all(names.map((name) => commandLoaders.get(name)!()));
  for (const register of registers) register(program);
  return program;
}

/**
 * Runs the CLI with the given argv and returns the exit code. Herd errors become one clear message on stderr,
 * never a stack trace.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const program = await createCliProgram(argv);
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Help and --version end with 0; any other complaint about the command line is an input error.
    if (error instanceof CommanderError)
      return error.exitCode === 0 ? exitCodes.success : exitCodes.configuration;
    return reportCliError(error);
  }
}
