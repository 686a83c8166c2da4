import path from 'node:path';
import type { Command } from 'commander';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';

/**
 * Registers `herd acp [--workspace DIR]`: Herd as an Agent Client Protocol agent over stdio, for editors
 * (Zed, JetBrains IDEs, Neovim and VS Code plugins). Each session works in the `cwd` the editor gives;
 * `--workspace` is where `session/list` looks when the editor names none.
 */
export function registerAcpCommand(program: Command): void {
  program
    .command('acp')
    .description('Serve Herd as an Agent Client Protocol agent over stdio, for editors')
    .option(
      '-w, --workspace <dir>',
      'default workspace for listing sessions (default: the current directory)',
      parseWorkspaceArgument,
    )
    .action(async (options: { workspace?: string }) => {
      // Loaded here, not at start: every other command would pay for the agent stack.
      const { serveAcpOverStdio } = await import('../../acp/serve-acp-over-stdio.js');
      await serveAcpOverStdio({ workspace: path.resolve(options.workspace ?? process.cwd()) });
    });
}
