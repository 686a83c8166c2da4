import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HerdError } from '@herd/core';
import { acquireWorkspaceRunLock, workspaceRunLockPath } from '@herd/engine';
import { describe, expect, it } from 'vitest';
import { createSharedWorkspaceHold } from '../../src/herd/workspace-run-lock.js';

const workspace = () => mkdtempSync(join(tmpdir(), 'herd-run-lock-'));

const codeOf = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (error) {
    return HerdError.find(error)?.code;
  }
  return undefined;
};

const messageOf = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    return `${(error as HerdError).message} ${(error as HerdError).hint ?? ''}`;
  }
  return '';
};

const writeHolder = (root: string, holder: Record<string, unknown>) => {
  acquireWorkspaceRunLock({ workspace: root, sessionId: 'setup', purpose: 'run' }).release();
  writeFileSync(
    workspaceRunLockPath(root),
    JSON.stringify({ host: hostname(), purpose: 'run', startedAt: '2026-11-27T10:00:00.000Z', ...holder }),
  );
};

/** The id of a process that has exited. */
const exitedProcessId = (): number =>
  Number(execFileSync(process.execPath, ['-p', 'process.pid']).toString());

describe('acquireWorkspaceRunLock', () => {
  it('refuses a second holder of the same workspace, naming the session that holds it', () => {
    const root = workspace();
    const first = acquireWorkspaceRunLock({ workspace: root, sessionId: 'session-one', purpose: 'run' });
    const second = () =>
      acquireWorkspaceRunLock({ workspace: root, sessionId: 'session-two', purpose: 'run' });
    expect(codeOf(second)).toBe('workspace_busy');
    expect(messageOf(second)).toContain('a run of session session-one');
    first.release();
  });

  it('refuses a second holder that reaches the same workspace through a symbolic link', () => {
    const root = workspace();
    const link = `${root}-link`;
    symlinkSync(root, link);
    const first = acquireWorkspaceRunLock({ workspace: root, sessionId: 'session-one', purpose: 'run' });
    expect(
      codeOf(() => acquireWorkspaceRunLock({ workspace: link, sessionId: 'session-two', purpose: 'run' })),
    ).toBe('workspace_busy');
    first.release();
  });

  it('gives the workspace to the next holder once released, and leaves no lock file behind', () => {
    const root = workspace();
    acquireWorkspaceRunLock({ workspace: root, sessionId: 'session-one', purpose: 'run' }).release();
    const second = acquireWorkspaceRunLock({ workspace: root, sessionId: 'session-two', purpose: 'undo' });
    expect(JSON.parse(readFileSync(second.path, 'utf8'))).toMatchObject({
      sessionId: 'session-two',
      purpose: 'undo',
      pid: process.pid,
    });
    second.release();
    second.release();
    expect(existsSync(workspaceRunLockPath(root))).toBe(false);
  });

  it('shares one hold among overlapping work of one holder, releasing the lock with the last', () => {
    const root = workspace();
    const shared = createSharedWorkspaceHold({ workspace: root, sessionId: 'mcp-1', purpose: 'mcp' });
    const first = shared.hold();
    const second = shared.hold();
    first.release();
    expect(existsSync(workspaceRunLockPath(root))).toBe(true);
    second.release();
    expect(existsSync(workspaceRunLockPath(root))).toBe(false);
  });

  it('takes over a lock whose process no longer exists (a run killed with SIGKILL)', () => {
    const root = workspace();
    writeHolder(root, { pid: exitedProcessId(), sessionId: 'killed' });
    const lock = acquireWorkspaceRunLock({ workspace: root, sessionId: 'next', purpose: 'run' });
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).sessionId).toBe('next');
    lock.release();
  });

  it('takes over a lock that names this process when this process does not hold it (a reused process id)', () => {
    const root = workspace();
    writeHolder(root, { pid: process.pid, sessionId: 'before-restart' });
    acquireWorkspaceRunLock({ workspace: root, sessionId: 'next', purpose: 'run' }).release();
  });

  it('takes over an unreadable lock file once it is more than a moment old', () => {
    const root = workspace();
    writeHolder(root, {});
    writeFileSync(workspaceRunLockPath(root), '{"pid": 12');
    const attempt = () => acquireWorkspaceRunLock({ workspace: root, sessionId: 'next', purpose: 'run' });
    expect(codeOf(attempt)).toBe('workspace_busy');
    const past = new Date(Date.now() - 60_000);
    utimesSync(workspaceRunLockPath(root), past, past);
    attempt().release();
  });

  it('respects a lock held by another live process, and says how to clear a lock nobody holds', async () => {
    const root = workspace();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      writeHolder(root, { pid: other.pid, sessionId: 'elsewhere' });
      const attempt = () => acquireWorkspaceRunLock({ workspace: root, sessionId: 'next', purpose: 'run' });
      expect(codeOf(attempt)).toBe('workspace_busy');
      expect(messageOf(attempt)).toContain(`process ${other.pid}`);
      expect(messageOf(attempt)).toContain(`delete ${workspaceRunLockPath(root)}`);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('respects a lock held from another machine, whose processes it cannot see', () => {
    const root = workspace();
    writeHolder(root, { pid: exitedProcessId(), sessionId: 'remote', host: 'build-box-7' });
    const attempt = () => acquireWorkspaceRunLock({ workspace: root, sessionId: 'next', purpose: 'run' });
    expect(codeOf(attempt)).toBe('workspace_busy');
    expect(messageOf(attempt)).toContain('on build-box-7');
  });

  it('does not remove a lock that another holder took over after its own was judged abandoned', () => {
    const root = workspace();
    const first = acquireWorkspaceRunLock({ workspace: root, sessionId: 'first', purpose: 'run' });
    writeFileSync(
      first.path,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        sessionId: 'taken-over',
        purpose: 'run',
        startedAt: new Date().toISOString(),
      }),
    );
    first.release();
    expect(JSON.parse(readFileSync(workspaceRunLockPath(root), 'utf8')).sessionId).toBe('taken-over');
  });
});
