import { createHash } from 'node:crypto';
import { HerdError } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { runHostGit } from '../../src/git/run-host-git.js';
import { initRepository } from '../git-repository.js';
import { createTemporaryWorkspace } from '../temporary-workspace.js';

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

  it('says git could not be started in a directory that does not exist', async () => {
    const { parent } = await createTemporaryWorkspace({});
    const run = runHostGit({ args: ['status'], cwd: `${parent}/missing` });
    await expect(run).rejects.toSatisfy((error) => HerdError.find(error)?.code === 'git_unavailable');
  });
});
