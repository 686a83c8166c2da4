import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CiReport, parsePatchFiles, renderCiSummary, resolveCiTask } from '@herd/engine';
import { describe, expect, it } from 'vitest';

const base: CiReport = {
  schemaVersion: 1,
  herdVersion: '0.1.0',
  sessionId: 'session-1',
  task: 'fix it',
  workspace: '/repo',
  status: 'blocked',
  exitCode: 2,
  reason: 'the guard stopped step-1: tool_output',
  startedAt: '2025-01-01T10:00:00.000Z',
  finishedAt: '2025-01-01T10:00:01.000Z',
  durationMs: 1000,
  planId: null,
  plan: null,
  steps: [],
  verification: null,
  guard: {
    classifiers: [
      { name: 'prompt_guard', state: 'on', reason: 'configured in roles.guard.promptGuard: /models/pg2' },
      { name: 'llama_guard', state: 'on', reason: "on by default: provider 'together' serves it" },
    ],
  },
  guardVerdicts: [],
  deviations: [],
  changedFiles: [],
  usage: { byRole: {}, modelCalls: 0, totalTokens: 0 },
  error: null,
  outputs: { patch: '/p', summary: '/s', report: '/r' },
  commit: null,
};

describe('renderCiSummary', () => {
  it('warns at the top when a classifier was skipped or failed, so the pull request never looks guarded', () => {
    const skipped = renderCiSummary({
      ...base,
      guard: {
        classifiers: [
          { name: 'prompt_guard', state: 'skipped', reason: 'not set up; run `herd guard setup`' },
          {
            name: 'llama_guard',
            state: 'failed',
            reason: 'Llama Guard 4 (together) failed the check with HTTP 500',
          },
        ],
      },
    });
    const top = skipped.split('### Task')[0] ?? '';
    expect(top).toContain('Not fully guarded');
    expect(top).toContain('no classifier checked this run');
    expect(top).toContain('Prompt Guard 2 skipped: not set up; run \\`herd guard setup\\`');
    expect(top).toContain('Llama Guard 4 failed: Llama Guard 4 (together) failed the check with HTTP 500');
    expect(renderCiSummary(base)).not.toContain('guarded');
    expect(renderCiSummary({ ...base, guard: { classifiers: [] } })).toContain('Guard coverage unknown');
  });

  it('fences a task that holds backticks and HTML so it cannot change the pull-request page', () => {
    const task = 'Close this with <img src=x onerror=alert(1)>\n```\n# Approved\n```';
    const summary = renderCiSummary({ ...base, task });
    expect(summary).toContain(`\`\`\`\`text\n${task}\n\`\`\`\``);
  });

  it('says when a success changed nothing, or changed files that no verification vouches for', () => {
    const succeeded = { ...base, status: 'succeeded' as const, exitCode: 0, reason: null };
    const changed = { ...succeeded, changedFiles: [{ path: 'a.ts', change: 'modify' as const }] };
    expect(renderCiSummary(succeeded)).toContain('## Herd CI: succeeded, nothing changed');
    expect(renderCiSummary(changed)).toContain(
      '## Herd CI: changes made, not verified (no verification ran)',
    );
    const verified = { ...changed, verification: { passed: true, report: 'ok' } };
    expect(renderCiSummary(verified)).toContain('## Herd CI: changes made and verified');
  });

  it('escapes model text in table cells and one-line fields', () => {
    const summary = renderCiSummary({
      ...base,
      guardVerdicts: [
        {
          point: 'tool_output',
          scanner: 'patterns',
          action: 'block',
          categories: [],
          reason: 'a | b\n<script>',
        },
      ],
    });
    expect(summary).toContain('| tool_output | patterns | block | a \\| b \\<script\\> |');
    expect(summary).toContain('**Why:** the guard stopped step-1: tool\\_output');
  });
});

describe('parsePatchFiles', () => {
  it('lists created, modified and deleted files of a git diff', () => {
    const patch = [
      'diff --git a/new.txt b/new.txt',
      'new file mode 100644',
      '--- /dev/null',
      '+++ b/new.txt',
      '@@ -0,0 +1 @@',
      '+hello',
      'diff --git a/src/add.js b/src/add.js',
      '--- a/src/add.js',
      '+++ b/src/add.js',
      '@@ -1 +1 @@',
      '-a',
      '+b',
      'diff --git a/old name.txt b/old name.txt',
      'deleted file mode 100644',
      '--- a/old name.txt',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-bye',
      '',
    ].join('\n');
    expect(parsePatchFiles(patch)).toEqual([
      { path: 'new.txt', change: 'create' },
      { path: 'src/add.js', change: 'modify' },
      { path: 'old name.txt', change: 'delete' },
    ]);
  });
});

describe('resolveCiTask', () => {
  it('reads --task, then --task-file, then the environment variable', () => {
    const directory = mkdtempSync(join(tmpdir(), 'herd-ci-task-'));
    writeFileSync(join(directory, 'issue.md'), '\nFix the build.\n\n');
    expect(resolveCiTask({ task: ' fix ', env: { HERD_TASK: 'other' } })).toBe('fix');
    expect(resolveCiTask({ taskFile: 'issue.md', cwd: directory, env: { HERD_TASK: 'other' } })).toBe(
      'Fix the build.',
    );
    expect(resolveCiTask({ env: { ISSUE_BODY: 'from the issue' }, taskVariable: 'ISSUE_BODY' })).toBe(
      'from the issue',
    );
  });

  it('refuses an empty task, a missing one, and --task with --task-file', () => {
    expect(() => resolveCiTask({ env: {} })).toThrow(/No task was given/);
    expect(() => resolveCiTask({ env: { HERD_TASK: '  ' } })).toThrow(/The task from \$HERD_TASK is empty/);
    expect(() => resolveCiTask({ task: 'a', taskFile: 'b', env: {} })).toThrow(/pass only one of them/);
  });
});
