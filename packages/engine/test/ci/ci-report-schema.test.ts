import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CiReport, CiReportSchema, ciReportJsonSchema } from '@herd/engine';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const publishedPath = fileURLToPath(new URL('../../schema/ci-report.schema.json', import.meta.url));

const report: CiReport = {
  schemaVersion: 1,
  herdVersion: '0.1.0',
  sessionId: '6f1c2a9e-0d55-4f43-9a39-3f1d8d1b2c77',
  task: 'make the failing test pass',
  workspace: '/repo',
  status: 'succeeded',
  exitCode: 0,
  reason: null,
  startedAt: '2025-01-01T10:00:00.000Z',
  finishedAt: '2025-01-01T10:00:04.250Z',
  durationMs: 4250,
  planId: 'plan-1',
  plan: {
    summary: 'Make add() add.',
    assumptions: [],
    steps: [
      {
        id: 'step-1',
        title: 'Fix add',
        intent: 'Replace the subtraction.',
        files: [{ path: 'src/add.js', change: 'modify' }],
        commands: [],
        acceptance: 'add(2, 3) returns 5',
      },
    ],
    verification: [['node', 'test.js']],
    risks: [],
  },
  steps: [{ id: 'step-1', title: 'Fix add', status: 'done', attempts: 1 }],
  verification: { passed: true, report: '$ node test.js  (passed)\nok' },
  guard: {
    classifiers: [
      { name: 'prompt_guard', state: 'on', reason: 'configured in roles.guard.promptGuard: /models/pg2' },
      { name: 'llama_guard', state: 'skipped', reason: 'turned off by "llamaGuard": false in roles.guard' },
    ],
  },
  guardVerdicts: [
    { point: 'repo_content', scanner: 'patterns', action: 'warn', categories: ['ignore_instructions'] },
  ],
  deviations: [],
  changedFiles: [{ path: 'src/add.js', change: 'modify' }],
  usage: {
    byRole: { planner: { inputTokens: 900, outputTokens: 100, totalTokens: 1000 } },
    modelCalls: 3,
    totalTokens: 1000,
  },
  error: null,
  outputs: {
    patch: '/repo/.herd/ci/patch.diff',
    summary: '/repo/.herd/ci/summary.md',
    report: '/repo/.herd/ci/report.json',
  },
  commit: null,
};

describe('the published JSON Schema of the CI report', () => {
  it('is the committed file, generated from the zod schema', () => {
    const committed: unknown = JSON.parse(readFileSync(publishedPath, 'utf8'));
    expect(
      committed,
      'schema/ci-report.schema.json is stale: run `npx tsc -b && node packages/engine/scripts/write-ci-report-schema.mjs`',
    ).toEqual(ciReportJsonSchema());
  });

  it('accepts a report the zod schema accepts and rejects one with a wrong exit code type or a stray field', () => {
    const published = z.fromJSONSchema(JSON.parse(readFileSync(publishedPath, 'utf8')));
    expect(CiReportSchema.parse(report)).toEqual(report);
    expect(published.safeParse(report).success).toBe(true);
    expect(published.safeParse({ ...report, exitCode: 'zero' }).success).toBe(false);
    expect(published.safeParse({ ...report, extra: true }).success).toBe(false);
    expect(published.safeParse({ ...report, startedAt: 'yesterday' }).success).toBe(false);
  });
});
