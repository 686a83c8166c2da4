import { describe, expect, it } from 'vitest';
import { type HerdEvent, HerdEventSchema } from '../../src/events/herd-event.js';

const base = { runId: 'run-1', time: '2026-11-27T09:00:00.000Z' };

const samples: HerdEvent[] = [
  { ...base, type: 'run-start', task: 'fix the failing test', mode: 'run', workspace: '/repo' },
  {
    ...base,
    type: 'context-pack',
    filesIncluded: 10,
    filesExcluded: 2,
    tokens: 12_000,
    budget: 100_000,
    strategy: 'whole',
  },
  {
    ...base,
    type: 'plan-propose',
    planId: 'plan-1',
    version: 1,
    plan: {
      summary: 'Fix the off-by-one in range()',
      assumptions: [],
      steps: [
        {
          id: 'step-1',
          title: 'Fix range',
          intent: 'Use an inclusive bound',
          files: [{ path: 'src/range.ts', change: 'modify' }],
          commands: [['npm', 'test']],
          acceptance: 'tests pass',
        },
      ],
      verification: [['npm', 'test']],
      risks: [],
    },
  },
  {
    ...base,
    type: 'model-call',
    role: 'actor',
    provider: 'together',
    model: 'm',
    latencyMs: 12,
    outcome: 'ok',
    usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
  },
  { ...base, type: 'tool-call', callId: 'c1', name: 'read_file', arguments: { path: 'a.ts' } },
  { ...base, type: 'tool-result', callId: 'c1', name: 'read_file', ok: true, content: 'x' },
  {
    ...base,
    type: 'guard-verdict',
    point: 'tool_output',
    scanner: 'prompt_guard',
    action: 'block',
    score: 0.98,
    categories: [],
  },
  { ...base, type: 'approval-request', requestId: 'r1', kind: 'command', title: 'Run npm install?' },
  { ...base, type: 'approval-resolve', requestId: 'r1', decision: 'allow_once' },
  { ...base, type: 'file-change', path: 'src/range.ts', change: 'modify', diff: '--- a\n+++ b\n' },
  { ...base, type: 'checkpoint-create', checkpointId: 'abc123', stepId: 'step-1' },
  { ...base, type: 'verification-finish', passed: false, commands: [['npm', 'test']], output: '1 failing' },
  { ...base, type: 'error', code: 'provider_error', blame: 'system', message: 'boom', fatal: true },
  {
    ...base,
    type: 'run-finish',
    status: 'succeeded',
    usage: { actor: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } },
    durationMs: 1234,
  },
];

describe('HerdEventSchema', () => {
  it.each(samples.map((sample) => [sample.type, sample] as const))(
    'round-trips a %s event through JSON',
    (_type, sample) => {
      const parsed = HerdEventSchema.parse(JSON.parse(JSON.stringify(sample)));
      expect(parsed).toEqual(sample);
    },
  );

  it('rejects an event of an unknown type', () => {
    expect(HerdEventSchema.safeParse({ ...base, type: 'run-explode' }).success).toBe(false);
  });

  it('rejects a plan whose command is a shell string rather than an argument vector', () => {
    const result = HerdEventSchema.safeParse({
      ...base,
      type: 'plan-propose',
      planId: 'p',
      version: 1,
      plan: {
        summary: 's',
        steps: [{ id: '1', title: 't', intent: 'i', files: [], commands: ['npm test'], acceptance: 'a' }],
      },
    });
    expect(result.success).toBe(false);
  });
});
