import { Command, CommanderError } from 'commander';
import { herdVersion } from '../herd-version.js';
import { registerAcpCommand } from './commands/acp-command.js';
import { registerActCommand } from './commands/act-command.js';
import { registerCiCommand } from './commands/ci-command.js';
import { registerConfigCommand } from './commands/config-command.js';
import { registerGuardCommand } from './commands/guard-command.js';
import { registerInitCommand } from './commands/init-command.js';
import { registerMcpCommand } from './commands/mcp-command.js';
import { registerPackCommand } from './commands/pack-command.js';
import { registerPlanCommand } from './commands/plan-command.js';
import { registerResumeCommand } from './commands/resume-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerSessionsCommand } from './commands/sessions-command.js';
import { registerUndoCommand } from './commands/undo-command.js';
import { exitCodes, reportCliError } from './report-cli-error.js';

/**
 * Builds the `herd` command line. Each command lives in its own file under `commands/` and registers
 * itself on the program.
 */
export function createCliProgram(): Command {
  const program = new Command('herd')
    .description('Llama 4 Scout plans, Maverick acts, Prompt Guard 2 and Llama Guard 4 check every step.')
    .version(herdVersion, '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerInitCommand(program);
  registerRunCommand(program);
  registerCiCommand(program);
  registerPlanCommand(program);
  registerActCommand(program);
  registerResumeCommand(program);
  registerSessionsCommand(program);
  registerUndoCommand(program);
  registerConfigCommand(program);
  registerGuardCommand(program);
  registerMcpCommand(program);
  registerAcpCommand(program);
  registerPackCommand(program);
  return program;
}

/**
 * Runs the CLI with the given argv and returns the exit code. Herd errors become one clear message on stderr,
 * never a stack trace.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createCliProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Help and --version end with 0; any other complaint about the command line is an input error.
    if (error instanceof CommanderError)
      return error.exitCode === 0 ? exitCodes.success : exitCodes.configuration;
    return reportCliError(error);
  }
}
