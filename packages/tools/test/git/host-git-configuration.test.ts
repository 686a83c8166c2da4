import { execFileSync } from 'node:child_process';
import { open, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createToolDispatcher } from '../../src/dispatcher/tool-dispatcher.js';
import { createGitDiffTool } from '../../src/git/git-diff-tool.js';
import { createGitStatusTool } from '../../src/git/git-status-tool.js';
import { runHostGit } from '../../src/git/run-host-git.js';
import { createWorkspaceJail } from '../../src/jail/workspace-jail.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';
import { git, initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

// Herd lists the configuration git will read and switches off every filter it names, then runs the command; git
// reads the files again for the command. A file in the workspace (an include, a separate git directory) can change
// in between: a sandboxed command or write_file running at the same time as a read-only git tool.

const gitToolsFor = async (root: string) => {
  const jail = await createWorkspaceJail({ root });
  return createToolDispatcher({
    registry: createToolRegistry({ tools: [createGitStatusTool({ jail }), createGitDiffTool({ jail })] }),
  });
};

/** The command line of the process that has `file` open (the reader of a FIFO), or '' when none is found. */
async function readerOf(file: string): Promise<string> {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const descriptors = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const descriptor of descriptors) {
      if ((await readlink(`/proc/${pid}/fd/${descriptor}`).catch(() => '')) !== file) continue;
      return (await readFile(`/proc/${pid}/cmdline`).catch(() => Buffer.alloc(0)))
        .toString()
        .split('\0')
        .join(' ');
    }
  }
  return '';
}

/**
 * Plays the writer that wins the race every time: the include is a FIFO, and each git that opens it is given
 * nothing while it lists the configuration and a clean filter when it runs the command.
 */
function winTheRace(fifo: string, filter: string) {
  let done = false;
  const served: string[] = [];
  const feeding = (async () => {
    while (!done) {
      const handle = await open(fifo, 'w');
      const reader = await readerOf(fifo);
      served.push(reader);
      await handle.writeFile(/config --list/.test(reader) ? '' : filter);
      await handle.close();
    }
  })();
  return {
    served,
    async stop() {
      done = true;
      // Releases the writer waiting for the next reader.
      await readFile(fifo);
      await feeding;
    },
  };
}

describe('host git and configuration in the model reach', () => {
  it('a repository that includes a file of the workspace: a writer racing the check cannot slip a filter in', async () => {
    const { root, outside } = await createTemporaryWorkspace({
      'a.txt': 'one\n',
      '.gitattributes': '* filter=x\n',
    });
    initRepository(root);
    // A team's settings kept in the repository (`<repository>/team.gitconfig`), included from .git/config.
    git(root, 'config', 'include.path', '../team.gitconfig');
    await writeFile(path.join(root, 'a.txt'), 'two\n');
    // What a sandboxed command can do: replace the included file with a FIFO it writes.
    execFileSync('mkfifo', [path.join(root, 'team.gitconfig')]);
    const marker = path.join(outside, 'filter-ran');
    const race = winTheRace(
      path.join(root, 'team.gitconfig'),
      `[filter "x"]\n\tclean = "touch ${marker} && cat"\n`,
    );
    const status = await (await gitToolsFor(root)).dispatch({ name: 'git_status' });
    await race.stop();
    expect(race.served.some((reader) => /config --list/.test(reader))).toBe(true);
    expect(await readdir(outside)).not.toContain('filter-ran');
    expect(status.error?.code).toBe('git_config_unsafe');
    expect(status.content).toContain('team.gitconfig');
  });

  it('refuses a git directory in the workspace that write_file can reach (a .git file pointing beside it)', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    git(root, 'init', '-q', '-b', 'main', '--separate-git-dir', path.join(root, 'meta'));
    const status = await (await gitToolsFor(root)).dispatch({ name: 'git_status' });
    expect(status.error?.code).toBe('git_config_unsafe');
    expect(status.content).toContain(path.join(root, 'meta'));
  });

  it('refuses a home directory or XDG_CONFIG_HOME inside the workspace, even before a config file is there', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    for (const environment of [{ HOME: root }, { XDG_CONFIG_HOME: path.join(root, 'config') }]) {
      await expect(runHostGit({ args: ['status'], cwd: root, environment })).rejects.toMatchObject({
        code: 'git_config_unsafe',
      });
    }
  });

  it('still runs git with an include outside the workspace', async () => {
    const { root, parent } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    await writeFile(path.join(parent, 'settings.gitconfig'), '[core]\n\tquotePath = false\n');
    git(root, 'config', 'include.path', path.join(parent, 'settings.gitconfig'));
    await writeFile(path.join(root, 'a.txt'), 'two\n');
    const status = await (await gitToolsFor(root)).dispatch({ name: 'git_status' });
    expect(status.content).toContain(' M a.txt');
  });

  it('a work tree (core.worktree) outside the workspace: git_diff shows none of its files', async () => {
    const { root, outside } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    // A repository that came with its .git (an archive): its work tree is a directory of the user's, and its index
    // lists a file there with empty content, so a diff would print the whole file.
    git(root, 'config', 'core.worktree', outside);
    const empty = git(root, 'hash-object', '-w', '--stdin').trim();
    git(root, 'update-index', '--add', '--cacheinfo', `100644,${empty},secret.txt`);
    const dispatcher = await gitToolsFor(root);
    const diff = await dispatcher.dispatch({ name: 'git_diff', arguments: {} });
    const status = await dispatcher.dispatch({ name: 'git_status' });
    for (const result of [diff, status]) {
      expect(result.content).not.toContain('outside secret');
      expect(result.content).not.toContain('secret.txt');
      expect(result.error?.code).toBe('git_config_unsafe');
    }
  });
});
