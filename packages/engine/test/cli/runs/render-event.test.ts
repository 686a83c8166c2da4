import { HerdEventSchema } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { renderEvent } from '../../../src/cli/runs/render-event.js';

describe('renderEvent', () => {
  it('puts what the guard covers in the run header, in capitals when a classifier does not run', () => {
    const event = HerdEventSchema.parse({
      type: 'run-start',
      runId: 'session-1',
      time: '2026-01-01T00:00:00.000Z',
      task: 'fix it',
      mode: 'run',
      workspace: '/repo',
      guard: {
        classifiers: [
          { name: 'prompt_guard', state: 'skipped', reason: 'not set up; run `herd guard setup`' },
          { name: 'llama_guard', state: 'on', reason: "on by default: provider 'together' serves it" },
        ],
      },
    });
    expect(renderEvent(event)).toBe(
      [
        'herd run: fix it',
        '  workspace /repo, session session-1',
        '  guard: Prompt Guard 2 SKIPPED — not set up; run `herd guard setup`',
        "  guard: Llama Guard 4 on — on by default: provider 'together' serves it",
      ].join('\n'),
    );
  });
});
