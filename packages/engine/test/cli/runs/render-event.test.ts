import { type HerdEvent, HerdEventSchema } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { createEventRenderer, renderEvent } from '../../../src/cli/runs/render-event.js';
import { colorEnabled, terminalColors } from '../../../src/cli/runs/terminal-colors.js';

const base = { runId: 'run-1', time: '2026-12-05T10:00:00.000Z' };
const colors = terminalColors({ stream: { isTTY: true }, env: {} });
const escapeCode = '\u001b[';

const diff = [
  'Index: src/add.js',
  '===================================================================',
  '--- src/add.js',
  '+++ src/add.js',
  '@@ -1,3 +1,3 @@',
  ' export function add(left, right) {',
  '-  return left - right;',
  '+  return left + right;',
  ' }',
].join('\n');

const plan = {
  summary: 'Make add() add.',
  assumptions: [],
  steps: [
    {
      id: 'step-1',
      title: 'Fix add',
      intent: 'Replace the subtraction.',
      files: [{ path: 'src/add.js', change: 'modify' as const }],
      commands: [],
      acceptance: 'add(2, 3) returns 5',
    },
  ],
  verification: [['node', 'test.js']],
  risks: [],
};

/** A guard verdict on a repository file while packing, as the content scanner or the plan node reports it. */
const packingVerdict = (
  source: string,
  action: 'warn' | 'block' = 'warn',
  scanner = 'patterns',
): HerdEvent => ({
  ...base,
  type: 'guard-verdict',
  point: 'repo_content',
  scanner,
  action,
  categories: ['instructions'],
  reason: `${source}: instruction-like text`,
  source,
});

const contextPack: HerdEvent = {
  ...base,
  type: 'context-pack',
  filesIncluded: 20,
  filesExcluded: 0,
  tokens: 1000,
  budget: 100_000,
  strategy: 'whole',
};
const modelCall: HerdEvent = {
  ...base,
  type: 'model-call',
  role: 'planner',
  provider: 'vllm',
  model: 'scout',
  latencyMs: 5,
  outcome: 'ok',
};

/** Renders events as the CLI does and returns every line printed. */
function printed(events: HerdEvent[]): string[] {
  const renderer = createEventRenderer();
  const texts = [...events.map((event) => renderer.render(event)), renderer.finish()];
  return texts.filter((text): text is string => text !== undefined).flatMap((text) => text.split('\n'));
}

describe('renderEvent colours', () => {
  const fileChange: HerdEvent = { ...base, type: 'file-change', path: 'src/add.js', change: 'modify', diff };

  it('colours a diff as git does: removed lines red, added lines green, hunks cyan', () => {
    const text = renderEvent(fileChange, colors)!;
    expect(colors.red('-')).toBe('\u001b[31m-\u001b[39m');
    expect(text).toContain(colors.red('-  return left - right;'));
    expect(text).toContain(colors.green('+  return left + right;'));
    expect(text).toContain(colors.cyan('@@ -1,3 +1,3 @@'));
    expect(text).toContain(colors.bold('+++ src/add.js'));
    expect(text).toContain('\n export function add(left, right) {\n');
  });

  it('colours the plan: headings bold, paths and step ids cyan', () => {
    const text = renderEvent({ ...base, type: 'plan-propose', planId: 'p1', version: 1, plan }, colors)!;
    expect(text).toContain(colors.bold('# Plan p1 (version 1)'));
    expect(text).toContain(colors.bold(colors.cyan('### 1. Fix add `step-1`')));
    expect(text).toContain(`- modify ${colors.cyan('`src/add.js`')}`);
  });

  it('prints the very same text without colour, and no escape codes', () => {
    const plain = renderEvent(fileChange);
    expect(plain).toBe(`\n${diff}`);
    expect(plain).not.toContain(escapeCode);
    const planText = renderEvent({ ...base, type: 'plan-propose', planId: 'p1', version: 1, plan });
    expect(planText).not.toContain(escapeCode);
    expect(planText).toContain('### 1. Fix add `step-1`');
  });
});

describe('colorEnabled', () => {
  const terminal = { isTTY: true };
  it('colours a terminal, and not a pipe or a file', () => {
    expect(colorEnabled({ stream: terminal, env: {} })).toBe(true);
    expect(colorEnabled({ stream: { isTTY: false }, env: {} })).toBe(false);
    expect(colorEnabled({ stream: {}, env: {} })).toBe(false);
  });
  it('honours --no-color and NO_COLOR, even on a terminal and over FORCE_COLOR', () => {
    expect(colorEnabled({ stream: terminal, color: false, env: {} })).toBe(false);
    expect(colorEnabled({ stream: terminal, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colorEnabled({ stream: terminal, env: { NO_COLOR: '1', FORCE_COLOR: '1' } })).toBe(false);
    expect(colorEnabled({ stream: terminal, color: false, env: { FORCE_COLOR: '1' } })).toBe(false);
  });
  it('an empty NO_COLOR does not count (no-color.org), FORCE_COLOR colours a pipe, TERM=dumb and CI alone do not', () => {
    expect(colorEnabled({ stream: terminal, env: { NO_COLOR: '' } })).toBe(true);
    expect(colorEnabled({ stream: {}, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(colorEnabled({ stream: {}, env: { FORCE_COLOR: '0' } })).toBe(false);
    expect(colorEnabled({ stream: terminal, env: { TERM: 'dumb' } })).toBe(false);
    expect(colorEnabled({ stream: {}, env: { CI: 'true' } })).toBe(false);
  });
});

describe('createEventRenderer: the guard while packing', () => {
  const files = Array.from(
    { length: 13 },
    (_, index) => `src/security/check-${String(index + 1).padStart(2, '0')}.ts`,
  );

  it('sums up 13 flagged files, each reported twice, in one line after the packing line', () => {
    const lines = printed([
      ...files.map((file) => packingVerdict(file)),
      contextPack,
      ...files.map((file) => packingVerdict(file, 'warn', 'repo_content')),
      modelCall,
    ]);
    const guardLines = lines.filter((line) => line.includes('guard'));
    expect(guardLines).toEqual([
      '  ⚠ guard: 13 repository files packed with a warning (src/security/check-01.ts, src/security/check-02.ts, src/security/check-03.ts and 10 more); `herd guard log` shows the findings',
    ]);
    expect(lines.indexOf(guardLines[0]!)).toBe(
      lines.findIndex((line) => line.startsWith('packed 20 files')) + 1,
    );
  });

  it('says which files were left out of the pack, counting a file once by its worst verdict', () => {
    const lines = printed([
      packingVerdict('docs/notes.md'),
      packingVerdict('.env.example', 'block', 'secrets'),
      packingVerdict('.env.example', 'warn', 'patterns'),
      contextPack,
      packingVerdict('docs/notes.md', 'warn', 'repo_content'),
    ]);
    expect(lines.filter((line) => line.includes('guard'))).toEqual([
      '  ⚠ guard: 1 repository file left out of the pack (.env.example); 1 repository file packed with a warning (docs/notes.md); `herd guard log` shows the findings',
    ]);
  });

  it('does not repeat the summary when a re-plan packs the same files again', () => {
    const packing = [packingVerdict('docs/notes.md'), contextPack, modelCall];
    const lines = printed([...packing, ...packing]);
    expect(lines.filter((line) => line.includes('guard'))).toHaveLength(1);
  });

  it('still shows every other guard verdict on its own line', () => {
    const lines = printed([
      {
        ...base,
        type: 'guard-verdict',
        point: 'tool_output',
        scanner: 'patterns',
        action: 'warn',
        categories: [],
      },
      {
        ...base,
        type: 'guard-verdict',
        point: 'repo_content',
        scanner: 'patterns',
        action: 'warn',
        categories: [],
      },
    ]);
    expect(lines).toEqual(['  ⚠ guard tool_output patterns: warn', '  ⚠ guard repo_content patterns: warn']);
  });
});

describe('renderEvent: the run header', () => {
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
