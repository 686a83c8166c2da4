import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCliProgram } from '../../src/cli/run-cli.js';
import { runHerdCli } from './support/run-herd-cli.js';

/** The commands that work on a repository folder. */
const folderCommands = ['run', 'ci', 'plan', 'act', 'resume', 'sessions', 'undo', 'mcp', 'acp', 'pack'];

describe('-w/--workspace', () => {
  it('is taken by every command that works on a repository folder', async () => {
    const program = await createCliProgram();
    for (const name of folderCommands) {
      const command = program.commands.find((candidate) => candidate.name() === name);
      const flags = command?.options.map((option) => option.flags) ?? [];
      expect(flags, `herd ${name}`).toContain('-w, --workspace <dir>');
    }
  });

  describe('herd pack', () => {
    let repository: string;
    beforeEach(async () => {
      repository = await mkdtemp(join(tmpdir(), 'herd-pack-workspace-'));
      execFileSync('git', ['init', '-q'], { cwd: repository });
      await writeFile(join(repository, 'answer.ts'), 'export const answer = 42;\n');
    });
    afterEach(async () => {
      await rm(repository, { recursive: true, force: true });
    });

    it('packs the folder given with -w, and with --root, its older name', async () => {
      for (const flag of ['-w', '--workspace', '--root']) {
        const result = await runHerdCli(['pack', flag, repository, '--budget', '5000', '--no-cache']);
        expect(result.code, `${flag}: ${result.stderr}`).toBe(0);
        expect(result.stdout, flag).toContain('export const answer = 42;');
      }
    });

    it('refuses a folder that does not exist before packing anything', async () => {
      const missing = join(repository, 'missing');
      const result = await runHerdCli(['pack', '-w', missing, '--budget', '5000']);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`the workspace ${missing} does not exist`);
    });
  });
});
