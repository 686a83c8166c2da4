import { randomUUID } from 'node:crypto';
import { linkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkConfigTrust, configFileName, recordConfigTrust, UserError } from '@herd/core';
import type { Command } from 'commander';
import { buildStarterConfig } from '../../init/starter-config.js';
import { loadConfigSectionJudges } from '../../settings/config-section-judges.js';
import { loadWorkspaceConfig } from '../../settings/load-workspace-config.js';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';
import { exitCodes } from '../report-cli-error.js';

/**
 * Registers `herd init`: writes a starter `herd.config.json` for the repository as it finds it (which provider key
 * is set or which local server answers, the repository's test command), with `"$schema"` for editors, checks it as
 * a run would, and records it as the configuration a person runs Herd with here.
 */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('Write a starter herd.config.json for this repository (provider, test command, $schema)')
    .option('-w, --workspace <dir>', 'repository (default: the current directory)', parseWorkspaceArgument)
    .option('--force', 'replace an existing herd.config.json')
    .option('--print', 'print the configuration instead of writing it')
    .action(async (options: { workspace?: string; force?: boolean; print?: boolean }) => {
      const workspace = resolve(options.workspace ?? process.cwd());
      const starter = await buildStarterConfig({ workspace, env: process.env });
      const text = `${JSON.stringify(starter.config, null, 2)}\n`;
      if (options.print) {
        process.stdout.write(text);
        process.exitCode = exitCodes.success;
        return;
      }
      const file = join(workspace, configFileName);
      writeNewFile({ file, text, replace: options.force === true });
      // Checked as a run would read it, and recorded as the file a person chose (a run will not ask about it).
      const loaded = await loadWorkspaceConfig({ cwd: workspace, path: file });
      const judges = await loadConfigSectionJudges();
      recordConfigTrust(checkConfigTrust({ loaded, workspace, judges }), { person: true });
      const provider = starter.provider
        ? `provider ${starter.provider.provider} (${starter.provider.reason})`
        : 'no provider: no API key is set and no local server answered on its default port; set one before `herd run`';
      const test = starter.testCommand
        ? `test command \`${starter.testCommand.argv.join(' ')}\` (from ${starter.testCommand.source})`
        : 'no test command found: set run.testCommand so verification can run the tests';
      process.stdout.write(`wrote ${file}\n  ${provider}\n  ${test}\nnext: \`herd config check\`\n`);
      process.exitCode = exitCodes.success;
    });
}

/** Writes the file whole (never half), refusing to replace an existing one unless told to. */
function writeNewFile(options: { file: string; text: string; replace: boolean }): void {
  const { file, text, replace } = options;
  const draft = `${file}.${randomUUID()}.tmp`;
  writeFileSync(draft, text, { flag: 'wx' });
  try {
    if (replace) {
      renameSync(draft, file);
      return;
    }
    // A hard link fails if the name exists, so an existing configuration is never overwritten by a race either.
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError({
        code: 'config_exists',
        message: `${file} already exists; check it with \`herd config check\`, or pass --force to replace it with a starter configuration.`,
      });
    }
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}
