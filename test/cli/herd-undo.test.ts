import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testModels } from '@herd/core/testing';
import { useScriptedServer } from '@herd/test-support/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFailingTestRepository, enqueueFixScenario } from '../engine/fixture-repository.js';
import { assertBuilt, spawnHerd, writeTestConfig } from './herd-cli.js';

const server = useScriptedServer();
beforeAll(assertBuilt);

/** A workspace where `herd run` fixed `src/add.js` (left - right → left + right). */
async function workspaceAfterARun(): Promise<string> {
  const workspace = createFailingTestRepository();
  writeTestConfig(workspace, server.url);
  enqueueFixScenario({
    server,
    plannerModel: testModels.planner,
    actorModel: testModels.actor,
    summary: 'done',
  });
  const run = spawnHerd({ args: ['run', 'make the test pass', '--yes', '--json'], cwd: workspace });
  expect(await run.exit).toBe(0);
  expect(read(workspace, 'src/add.js')).toContain('left + right');
  return workspace;
}

const read = (workspace: string, file: string) => readFileSync(join(workspace, file), 'utf8');

describe('herd undo (subprocess) restores only what Herd changed', () => {
  it('keeps a file the user created and an edit to a file Herd never touched', async () => {
    const workspace = await workspaceAfterARun();
    mkdirSync(join(workspace, 'notes'));
    writeFileSync(join(workspace, 'notes/mine.md'), 'written by hand after the run\n');
    writeFileSync(join(workspace, 'README.md'), '# fixture\n\nEdited by hand after the run.\n');

    const undo = spawnHerd({ args: ['undo'], cwd: workspace });

    expect(await undo.exit).toBe(0);
    expect(read(workspace, 'src/add.js')).toContain('left - right');
    expect(read(workspace, 'notes/mine.md')).toBe('written by hand after the run\n');
    expect(read(workspace, 'README.md')).toContain('Edited by hand after the run.');
    expect(undo.stdout()).toContain('1 file(s) restored, 0 removed');
  }, 180_000);

  it('refuses without a terminal, naming the file the user edited after Herd changed it; --force restores it', async () => {
    const workspace = await workspaceAfterARun();
    writeFileSync(join(workspace, 'src/add.js'), `${read(workspace, 'src/add.js')}// tuned by hand\n`);
    writeFileSync(join(workspace, 'mine.txt'), 'mine\n');

    const refused = spawnHerd({ args: ['undo'], cwd: workspace });

    expect(await refused.exit).toBe(3);
    expect(refused.stderr()).toContain('"src/add.js"');
    expect(refused.stderr()).toContain('--force');
    expect(read(workspace, 'src/add.js')).toContain('// tuned by hand');

    const forced = spawnHerd({ args: ['undo', '--force'], cwd: workspace });

    expect(await forced.exit).toBe(0);
    expect(read(workspace, 'src/add.js')).toContain('left - right');
    expect(read(workspace, 'src/add.js')).not.toContain('tuned by hand');
    expect(forced.stdout()).toContain('overwrote 1 file(s) changed since Herd changed them: src/add.js');
    expect(existsSync(join(workspace, 'mine.txt'))).toBe(true);
  }, 180_000);
});
