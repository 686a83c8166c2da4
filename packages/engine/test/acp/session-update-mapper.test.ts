import type { HerdEvent, HerdEventInput } from '@herd/core';
import { HerdEventSchema } from '@herd/core';
import { createSessionUpdateMapper } from '@herd/engine';
import { describe, expect, it } from 'vitest';
import { sessionUpdateIssues } from './acp-schema-conformance.js';

const plan = {
  summary: 'Fix add and document it.',
  assumptions: [],
  steps: [
    { id: 'step-1', title: 'Fix add', intent: 'Add.', files: [], commands: [], acceptance: 'adds' },
    {
      id: 'step-2',
      title: 'Document add',
      intent: 'Doc.',
      files: [],
      commands: [],
      acceptance: 'documented',
    },
  ],
  verification: [],
  risks: [],
};

const stamp = (input: HerdEventInput): HerdEvent =>
  HerdEventSchema.parse({ ...input, runId: 'run-1', time: '2026-01-01T00:00:00.000Z' });

function mapAll(inputs: HerdEventInput[], live = true) {
  const mapper = createSessionUpdateMapper({
    workspace: '/repo',
    live,
    contextWindowOf: (role) => (role === 'actor' ? 1_000_000 : undefined),
  });
  const updates = inputs.flatMap((input) => mapper.map(stamp(input)));
  // Every update must be one the official ACP schema accepts, whatever the model put in the arguments.
  for (const update of updates) expect(sessionUpdateIssues(update), JSON.stringify(update)).toEqual([]);
  return updates;
}

describe('createSessionUpdateMapper', () => {
  it('reports the context used by the actor, never a Llama Guard check’s', () => {
    const call = (role: 'actor' | 'llamaGuard', totalTokens: number): HerdEventInput => ({
      type: 'model-call',
      role,
      provider: 'together',
      model: role,
      usage: { inputTokens: totalTokens - 1, outputTokens: 1, totalTokens },
      latencyMs: 10,
      outcome: 'ok',
    });
    // As acp-session sets it up: every role with a window, Llama Guard's included.
    const mapper = createSessionUpdateMapper({
      workspace: '/repo',
      live: true,
      contextWindowOf: () => 1_000_000,
    });
    expect(
      [call('actor', 5_000), call('llamaGuard', 40)].flatMap((input) => mapper.map(stamp(input))),
    ).toEqual([{ sessionUpdate: 'usage_update', used: 5_000, size: 1_000_000 }]);
  });

  it('tells the editor once, at the first run, which guard classifiers are skipped and why', () => {
    const start: HerdEventInput = {
      type: 'run-start',
      task: 'fix it',
      mode: 'run',
      workspace: '/repo',
      guard: {
        classifiers: [
          { name: 'prompt_guard', state: 'skipped', reason: 'not set up; run `herd guard setup`' },
          { name: 'llama_guard', state: 'on', reason: "on by default: provider 'together' serves it" },
        ],
      },
    };
    const updates = mapAll([start, start]);
    expect(updates).toEqual([
      {
        sessionUpdate: 'agent_message_chunk',
        content: {
          type: 'text',
          text: 'Guard: Prompt Guard 2 skipped (not set up; run `herd guard setup`).\n\n',
        },
      },
    ]);
  });

  it('follows the steps in the plan entries, marking a failed step back as pending with its status', () => {
    const updates = mapAll([
      { type: 'plan-propose', planId: 'p', version: 1, plan },
      { type: 'step-start', stepId: 'step-1', title: 'Fix add', attempt: 1 },
      { type: 'step-finish', stepId: 'step-1', status: 'done' },
      { type: 'step-start', stepId: 'step-2', title: 'Document add', attempt: 1 },
      { type: 'step-finish', stepId: 'step-2', status: 'failed' },
    ]);
    const plans = updates.flatMap((update) => (update.sessionUpdate === 'plan' ? [update.entries] : []));
    expect(plans.map((entries) => entries.map((entry) => entry.status))).toEqual([
      ['pending', 'pending'],
      ['in_progress', 'pending'],
      ['completed', 'pending'],
      ['completed', 'in_progress'],
      ['completed', 'pending'],
    ]);
    expect(plans.at(-1)?.[1]?.content).toBe('Document add (failed)');
  });

  it('shows a tool call with its kind and file, then its result, then the diff on the same call', () => {
    const updates = mapAll([
      {
        type: 'tool-call',
        callId: 'c1',
        name: 'write_file',
        arguments: { path: 'docs/add.md', content: 'x' },
      },
      { type: 'tool-result', callId: 'c1', name: 'write_file', ok: true, content: 'wrote docs/add.md' },
      {
        type: 'file-change',
        path: 'docs/add.md',
        change: 'create',
        diff: '--- /dev/null\n+++ b/docs/add.md\n@@ -0,0 +1 @@\n+x\n',
      },
    ]);
    expect(updates).toEqual([
      expect.objectContaining({
        sessionUpdate: 'tool_call',
        toolCallId: 'c1',
        title: 'Write docs/add.md',
        kind: 'edit',
        status: 'in_progress',
        locations: [{ path: '/repo/docs/add.md' }],
      }),
      expect.objectContaining({ sessionUpdate: 'tool_call_update', toolCallId: 'c1', status: 'completed' }),
      expect.objectContaining({
        sessionUpdate: 'tool_call_update',
        toolCallId: 'c1',
        content: [
          { type: 'content', content: { type: 'text', text: 'wrote docs/add.md' } },
          { type: 'diff', path: '/repo/docs/add.md', oldText: null, newText: 'x\n' },
        ],
      }),
    ]);
  });

  it('shows the line a read starts at only when the model gave a line number ACP can carry', () => {
    const read = (callId: string, startLine: unknown) => ({
      type: 'tool-call' as const,
      callId,
      name: 'read_file',
      arguments: { path: 'src/add.js', startLine },
    });
    const updates = mapAll([
      read('c1', 12),
      read('c2', 0),
      read('c3', 2.5),
      read('c4', -3),
      read('c5', '7'),
      read('c6', 2 ** 32),
    ]);
    expect(updates.map((update) => (update.sessionUpdate === 'tool_call' ? update.locations : []))).toEqual([
      [{ path: '/repo/src/add.js', line: 12 }],
      [{ path: '/repo/src/add.js' }],
      [{ path: '/repo/src/add.js' }],
      [{ path: '/repo/src/add.js' }],
      [{ path: '/repo/src/add.js' }],
      [{ path: '/repo/src/add.js' }],
    ]);
  });

  it('reports a failed command as a failed execute call', () => {
    const updates = mapAll([
      { type: 'tool-call', callId: 'c2', name: 'run_command', arguments: { argv: ['npm', 'test'] } },
      {
        type: 'tool-result',
        callId: 'c2',
        name: 'run_command',
        ok: false,
        content: 'exit 1',
        errorCode: 'exit',
      },
    ]);
    expect(updates[0]).toMatchObject({ kind: 'execute', title: 'Run `npm test`' });
    expect(updates[1]).toMatchObject({ status: 'failed', rawOutput: { ok: false, errorCode: 'exit' } });
  });

  it('says what the guard did unless it allowed, and reports usage against the role window', () => {
    const updates = mapAll([
      {
        type: 'guard-verdict',
        point: 'tool_output',
        scanner: 'prompt-guard',
        action: 'allow',
        categories: [],
      },
      {
        type: 'guard-verdict',
        point: 'repo_content',
        scanner: 'prompt-guard',
        action: 'block',
        categories: [],
        reason: 'injection in README.md',
      },
      {
        type: 'model-call',
        role: 'actor',
        provider: 'p',
        model: 'm',
        usage: { inputTokens: 900, outputTokens: 100, totalTokens: 1_000 },
        latencyMs: 1,
        outcome: 'ok',
      },
    ]);
    expect(updates).toEqual([
      {
        sessionUpdate: 'agent_message_chunk',
        content: {
          type: 'text',
          text: 'Guard (prompt-guard on repo content): block — injection in README.md.\n\n',
        },
      },
      { sessionUpdate: 'usage_update', used: 1_000, size: 1_000_000 },
    ]);
  });

  it('streams the actor text and then does not repeat it as the step summary', () => {
    const updates = mapAll([
      { type: 'step-start', stepId: 'step-1', title: 'Fix add', attempt: 1 },
      { type: 'model-text', role: 'actor', text: 'Fixed ' },
      { type: 'model-text', role: 'actor', text: 'add.' },
      { type: 'step-finish', stepId: 'step-1', status: 'done', summary: 'Fixed add.' },
    ]);
    const text = updates
      .map((update) =>
        update.sessionUpdate === 'agent_message_chunk' && update.content.type === 'text'
          ? update.content.text
          : '',
      )
      .join('');
    expect(text).toBe('Fixed add.\n\n');
  });

  it("replays the questions asked, which live are the editor's own permission requests", () => {
    const events: HerdEventInput[] = [
      { type: 'approval-request', requestId: 'r', kind: 'command', title: 'Run `npm install`?' },
      { type: 'approval-resolve', requestId: 'r', decision: 'allow_once' },
    ];
    expect(mapAll(events, true)).toEqual([]);
    expect(mapAll(events, false).map((update) => update.sessionUpdate)).toEqual([
      'agent_thought_chunk',
      'agent_thought_chunk',
    ]);
  });
});
