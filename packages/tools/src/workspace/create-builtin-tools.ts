import type { CommandRunner } from '../commands/command-runner.js';
import { createRunCommandTool } from '../commands/run-command-tool.js';
import type { ToolsConfig } from '../config/tools-config.js';
import { createEditFileTool } from '../files/edit-file-tool.js';
import { createGlobTool } from '../files/glob-tool.js';
import { createListFilesTool } from '../files/list-files-tool.js';
import { createReadFileTool } from '../files/read-file-tool.js';
import { createSearchTool } from '../files/search-tool.js';
import type { WorkspaceFileSystem } from '../files/workspace-file-system.js';
import { createWriteFileTool } from '../files/write-file-tool.js';
import { createGitDiffTool } from '../git/git-diff-tool.js';
import { createGitStatusTool } from '../git/git-status-tool.js';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import type { ToolDefinition } from '../tool/define-tool.js';
import { createFetchUrlTool } from '../web/fetch-url-tool.js';

/** Names of the built-in tools that never change anything, for a planner's read-only tool set. */
export const readOnlyToolNames: readonly string[] = [
  'read_file',
  'list_files',
  'glob',
  'search',
  'git_status',
  'git_diff',
  'fetch_url',
];

/** True when `fetch_url` is offered: as configured, else off when the `CI` variable is set. */
export function isFetchUrlEnabled(
  config: ToolsConfig,
  environment: NodeJS.ProcessEnv = process.env,
): boolean {
  return config.fetchUrl.enabled ?? !environment.CI;
}

/**
 * Creates every built-in tool for a workspace: read_file, list_files, glob, search, write_file, edit_file,
 * run_command, git_status, git_diff, and fetch_url when enabled.
 */
export function createBuiltinTools(options: {
  jail: WorkspaceJail;
  config: ToolsConfig;
  environment?: NodeJS.ProcessEnv;
  /** Where read_file, write_file and edit_file read and write text after the jail; default the disk. */
  fileSystem?: WorkspaceFileSystem;
  /** Where run_command runs commands after the command policy; default local (sandboxed) processes. */
  commandRunner?: CommandRunner;
}): ToolDefinition[] {
  const { jail, config, environment, fileSystem, commandRunner } = options;
  const files = { jail, ...(fileSystem ? { fileSystem } : {}) };
  const tools: ToolDefinition[] = [
    createReadFileTool({ ...files, limitBytes: config.readLimitBytes }),
    createListFilesTool({ jail }),
    createGlobTool({ jail }),
    createSearchTool({ jail }),
    createWriteFileTool(files),
    createEditFileTool(files),
    createRunCommandTool({
      jail,
      config,
      ...(environment ? { environment } : {}),
      ...(commandRunner ? { commandRunner } : {}),
    }),
    createGitStatusTool({ jail }),
    createGitDiffTool({ jail }),
  ];
  if (isFetchUrlEnabled(config, environment)) tools.push(createFetchUrlTool({ config: config.fetchUrl }));
  return tools;
}
