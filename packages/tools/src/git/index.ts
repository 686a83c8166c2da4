// @herd/tools/git: how Herd runs git on the host, for packages that need git without loading every tool.

export type { RunGitOptions } from './run-git.js';
export { runGit } from './run-git.js';
export type { HostGitOptions, HostGitResult } from './run-host-git.js';
export { runHostGit } from './run-host-git.js';
