import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HerdError } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { runHostGit } from '../../src/git/run-host-git.js';
import { initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';
import { loggingGit } from './logging-git.js';

// How runHostGit starts git and collects what it prints: the input it is given, a limit on the output, a cancel,
// a directory that is not there. Each is what a caller (checkpoints, the packer, the git tools) relies on.
describe('a git process Herd runs on the host', () => {
  it('gets the input it is given on standard input', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    const hashed = await runHostGit({ args: ['hash-object', '--stdin'], cwd: root, input: 'one\n' });
    expect(hashed.exitCode).toBe(0);
    // The blob of 'one\n', as `git hash-object` names it anywhere.
    expect(hashed.stdout.toString('utf8')).toBe('5626abf0f72e58d7a153368ba57db4c673c0e171\n');
  });

  it('stops git whose output goes past maxBuffer with git_output_too_large, not a cut answer', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n'.repeat(10_000) });
    initRepository(root);
    const run = runHostGit({ args: ['show', 'HEAD:a.txt'], cwd: root, maxBuffer: 1000 });
    await expect(run).rejects.toSatisfy((error) => HerdError.find(error)?.code === 'git_output_too_large');
  });

  it('reports a non-zero exit as the exit code with git stderr, for the caller to judge', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    const result = await runHostGit({ args: ['rev-parse', '--verify', 'no-such-branch'], cwd: root });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('Needed a single revision');
  });

  it('ends with the cancel reason when its signal is aborted', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    controller.abort(reason);
    await expect(runHostGit({ args: ['status'], cwd: root, signal: controller.signal })).rejects.toBe(reason);
  });

  it('runs fifty git commands at once, each with its own input and answer', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    const inputs = Array.from({ length: 50 }, (_, index) => `file ${index}\n`);
    const hashed = await Promise.all(
      inputs.map((input) => runHostGit({ args: ['hash-object', '--stdin'], cwd: root, input })),
    );
    // git names a blob by the SHA-1 of its header and content.
    const blobName = (content: string) =>
      createHash('sha1')
        .update(`blob ${Buffer.byteLength(content)}\0${content}`)
        .digest('hex');
    expect(hashed.map((result) => result.stdout.toString('utf8').trim())).toEqual(inputs.map(blobName));
  });

  it('reports the command as started once, after its configuration check, and never when the check refuses', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    const started: string[] = [];
    const result = await runHostGit({
      args: ['status', '--porcelain'],
      cwd: root,
      onStarted: () => started.push('status'),
    });
    expect(result.exitCode).toBe(0);
    expect(started).toEqual(['status']);
    // A home directory inside the workspace is refused before git runs the command (its configuration listing
    // still starts a git, which must not count as the command).
    await expect(
      runHostGit({
        args: ['status'],
        cwd: root,
        environment: { HOME: root },
        onStarted: () => started.push('refused'),
      }),
    ).rejects.toMatchObject({ code: 'git_config_unsafe' });
    expect(started).toEqual(['status']);
  });

  it('lists git’s configuration once for commands started together alike, and anew for any other command', async () => {
    const { root } = await createTemporaryWorkspace({ 'a.txt': 'one\n' });
    initRepository(root);
    const git = loggingGit();
    const PATH = `${git.path}:${process.env.PATH}`;
    const listings = () => git.commands().filter((command) => command.startsWith('config --list')).length;
    // Three commands at once, with the same directory and environment: one listing serves them all.
    const together = await Promise.all(
      ['HEAD', 'HEAD~0', 'HEAD^{commit}'].map((revision) =>
        runHostGit({ args: ['rev-parse', revision], cwd: root, environment: { PATH } }),
      ),
    );
    expect(new Set(together.map((result) => result.stdout.toString('utf8'))).size).toBe(1);
    expect(listings()).toBe(1);
    // One with more environment (what git reads may differ) lists its own, and so does one with a signal (its
    // cancel must not fail the others).
    await Promise.all([
      runHostGit({ args: ['rev-parse', 'HEAD'], cwd: root, environment: { PATH } }),
      runHostGit({ args: ['rev-parse', 'HEAD'], cwd: root, environment: { PATH, GIT_CONFIG_COUNT: '0' } }),
      runHostGit({
        args: ['rev-parse', 'HEAD'],
        cwd: root,
        environment: { PATH },
        signal: new AbortController().signal,
      }),
    ]);
    expect(listings()).toBe(4);
    // A listing that has ended is never reused: a filter added to the configuration afterwards is seen and emptied.
    execFileSync('git', ['-C', root, 'config', 'filter.evil.clean', 'touch pwned; cat']);
    writeFileSync(join(root, '.gitattributes'), 'a.txt filter=evil\n');
    writeFileSync(join(root, 'a.txt'), 'two\n');
    await runHostGit({ args: ['status', '--porcelain'], cwd: root, environment: { PATH } });
    await runHostGit({ args: ['diff'], cwd: root, environment: { PATH } });
    expect(listings()).toBe(6);
    expect(existsSync(join(root, 'pwned'))).toBe(false);
  });

  it('says git could not be started in a directory that does not exist', async () => {
    const { parent } = await createTemporaryWorkspace({});
    const run = runHostGit({ args: ['status'], cwd: `${parent}/missing` });
    await expect(run).rejects.toSatisfy((error) => HerdError.find(error)?.code === 'git_unavailable');
  });
});
