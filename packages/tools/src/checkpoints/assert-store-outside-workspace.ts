import { ConfigError, isWithin, realLocation } from '@herd/core';

/**
 * Refuses a checkpoint store inside the workspace. The store's git configuration and `info/attributes` are trusted
 * (git runs with them and nothing else), so inside the model's write reach a `write_file` of its `config` and
 * `info/attributes` would make the next checkpoint run a clean filter on the host, unsandboxed and unasked; it
 * would also snapshot itself. This happens when `tools.checkpoints.directory` names a folder in the workspace, or
 * when `XDG_CACHE_HOME` (or the home directory, for a workspace that is the home directory) lies inside it.
 *
 * @param configured true when the directory comes from `tools.checkpoints.directory`, false for the default.
 * @throws ConfigError `checkpoint_directory_in_workspace` naming the directory and how to move it out.
 */
export function assertStoreOutsideWorkspace(options: {
  workspace: string;
  directory: string;
  configured: boolean;
}): void {
  const workspace = realLocation(options.workspace);
  const directory = realLocation(options.directory);
  if (!isWithin(directory, workspace)) return;
  const fix = options.configured
    ? 'set tools.checkpoints.directory to a folder outside the workspace (or leave it out)'
    : 'point XDG_CACHE_HOME outside the workspace, or set tools.checkpoints.directory to a folder outside it';
  throw new ConfigError({
    code: 'checkpoint_directory_in_workspace',
    source: options.configured ? 'tools.checkpoints.directory' : 'XDG_CACHE_HOME',
    issues: [
      {
        path: 'tools.checkpoints.directory',
        message: `${directory} is inside the workspace ${workspace}; it must lie outside it`,
      },
    ],
    message: `Checkpoints would be kept in ${directory}, inside the workspace ${workspace}, where the model's tools can change the checkpoint repository's git configuration (and so run programs on this machine); ${fix}, or turn checkpoints off with tools.checkpoints.enabled: false.`,
  });
}
