import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunCommandTool, type RunCommandData } from '../../src/commands/run-command-tool.js';
import { parseToolsConfig } from '../../src/config/parse-tools-config.js';
import { createToolDispatcher } from '../../src/dispatcher/tool-dispatcher.js';
import { createWriteFileTool } from '../../src/files/write-file-tool.js';
import { createWorkspaceJail } from '../../src/jail/workspace-jail.js';
import { createToolRegistry } from '../../src/tool/tool-registry.js';
import { git, initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

const dataOf = (result: { data?: unknown }) => result.data as RunCommandData;

/** `safe.bareRepository` came with git 2.38. */
const gitVersion = /(\d+)\.(\d+)/.exec(execFileSync('git', ['--version'], { encoding: 'utf8' }));
const gitHonoursSafeBareRepository =
  gitVersion !== null && Number(gitVersion[1]) * 100 + Number(gitVersion[2]) >= 238;
if (!gitHonoursSafeBareRepository)
  console.warn('Skipping the HEAD race test: git before 2.38 has no safe.bareRepository.');

/** write_file and run_command over a workspace, as a model gets them; the sandbox as configured (auto, or off). */
async function modelTools(root: string, mode: 'auto' | 'off' = 'auto') {
  const jail = await createWorkspaceJail({ root });
  const config = parseToolsConfig({ sandbox: { mode } });
  const dispatcher = createToolDispatcher({
    registry: createToolRegistry({
      tools: [createWriteFileTool({ jail }), createRunCommandTool({ jail, config })],
    }),
  });
  return {
    write: async (file: string, content: string) => {
      const result = await dispatcher.dispatch({ name: 'write_file', arguments: { path: file, content } });
      expect(result.ok, `write_file ${file}: ${result.error?.message}`).toBe(true);
    },
    run: (argv: string[], cwd = '.') =>
      dispatcher.dispatch({ name: 'run_command', arguments: { argv, cwd } }),
  };
}

/**
 * The files of a git repository, all plain text write_file can write: git takes a folder holding `HEAD`,
 * `objects/` and `refs/` for a (bare) repository, and obeys its `config`, whose `core.worktree` points it at the
 * workspace and whose `core.fsmonitor` is a command git runs on `git status`.
 */
const plantedRepository = (options: { folder: string; workTree: string; proof: string }) => {
  const prefix = options.folder === '.' ? '' : `${options.folder}/`;
  return {
    [`${prefix}HEAD`]: 'ref: refs/heads/main\n',
    [`${prefix}objects/info/alternates`]: '\n',
    [`${prefix}refs/heads/.keep`]: '',
    [`${prefix}config`]: [
      '[core]',
      '\trepositoryformatversion = 0',
      '\tbare = false',
      `\tworktree = ${options.workTree}`,
      `\tfsmonitor = "touch ${options.proof}; false #"`,
      `[diff]\n\texternal = "touch ${options.proof} #"`,
      '',
    ].join('\n'),
  };
};

describe('read-only git in a repository written into the workspace', () => {
  it.each(['auto', 'off'] as const)(
    'asks before git status in a folder write_file made a repository, whose core.fsmonitor would run (sandbox %s)',
    async (mode) => {
      const { root } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
      initRepository(root);
      const proof = path.join(root, 'pwned');
      const tools = await modelTools(root, mode);
      for (const [file, content] of Object.entries(
        plantedRepository({ folder: 'evil', workTree: root, proof }),
      )) {
        await tools.write(file, content);
      }

      for (const argv of [
        ['git', 'status'],
        ['git', 'diff'],
        ['git', 'log', '-p'],
      ]) {
        const result = await tools.run(argv, 'evil');
        expect(result, argv.join(' ')).toMatchObject({ ok: false, error: { code: 'approval_required' } });
        expect(result.approval?.reason).toContain("git would use the repository at 'evil'");
      }
      expect(existsSync(proof)).toBe(false);
    },
  );

  it.skipIf(!gitHonoursSafeBareRepository)(
    'does not let a HEAD written in parallel, after the check and before git starts, make the folder a repository',
    async () => {
      const { root } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
      initRepository(root);
      const proof = path.join(root, 'pwned');
      const tools = await modelTools(root);
      // The race a model can run without any approval: every file but HEAD first, then git status and HEAD at
      // once, staggered over the time git takes to start. Before git was kept from discovering bare repositories,
      // one of the first few attempts ran the fsmonitor.
      for (let attempt = 0; attempt < 20 && !existsSync(proof); attempt += 1) {
        const folder = `evil${attempt}`;
        const { [`${folder}/HEAD`]: head, ...rest } = plantedRepository({ folder, workTree: root, proof });
        for (const [file, content] of Object.entries(rest)) await tools.write(file, content);
        const stagger = (attempt * 11) % 200;
        await Promise.all([
          tools.run(['git', 'status'], folder),
          new Promise((resolve) => setTimeout(resolve, stagger)).then(() =>
            tools.write(`${folder}/HEAD`, head!),
          ),
        ]);
      }
      expect(existsSync(proof)).toBe(false);
    },
    120_000,
  );

  it('asks before git status at the root of a workspace that is no repository but was made one by write_file', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'a\n' });
    const proof = path.join(root, 'pwned');
    const tools = await modelTools(root);
    for (const [file, content] of Object.entries(plantedRepository({ folder: '.', workTree: root, proof }))) {
      await tools.write(file, content);
    }
    const result = await tools.run(['git', 'status']);
    expect(result.approval?.reason).toContain("git would use the repository at '.'");
    expect(existsSync(proof)).toBe(false);
  });

  it('still runs git status without asking in the workspace repository, its subfolders and its submodules', async () => {
    const { root, outside } = await createTemporaryWorkspace({ 'src/a.txt': 'a\n' });
    const library = path.join(outside, 'library');
    await mkdir(library);
    await writeFile(path.join(library, 'lib.txt'), 'lib\n');
    initRepository(library);
    initRepository(root);
    git(root, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', library, 'vendor/library');
    const tools = await modelTools(root);
    for (const cwd of ['.', 'src', 'vendor/library']) {
      const result = await tools.run(['git', 'status', '--short'], cwd);
      expect(result.approval, cwd).toBeUndefined();
      expect(dataOf(result).exitCode, cwd).toBe(0);
    }
  });
});
