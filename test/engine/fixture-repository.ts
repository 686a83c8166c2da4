import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HerdConfig, HerdEvent, LoadedHerdConfig } from '@herd/core';
import { createTestConfig } from '@herd/core/testing';
import { type CreateHerdOptions, createHerd, type HerdRunResult } from '@herd/engine';

/** A small git repository with a failing test: `add` subtracts. `node test.js` exits 1 until it is fixed. */
export function createFailingTestRepository(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'herd-fixture-'));
  const all: Record<string, string> = {
    'package.json': '{ "name": "fixture", "type": "module" }\n',
    'src/add.js': 'export function add(left, right) {\n  return left - right;\n}\n',
    'test.js':
      "import { add } from './src/add.js';\nif (add(2, 3) !== 5) {\n  console.error('add(2, 3) returned', add(2, 3), 'expected 5');\n  process.exit(1);\n}\nconsole.log('ok');\n",
    'README.md': '# fixture\n\nAdds numbers.\n',
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  git('init', '--quiet');
  git('add', '.');
  // maintenance.auto=false: a commit otherwise starts `git maintenance run --auto`, one more process per fixture.
  git(
    ...['-c', 'maintenance.auto=false', '-c', 'user.name=test', '-c', 'user.email=test@example.com'],
    ...['commit', '--quiet', '-m', 'fixture'],
  );
  return root;
}

/** The fixture's test command, declared in its configuration as a repository would. */
export const fixtureTestCommand = ['node', 'test.js'];

/** The plan a planner would propose for the fixture. */
export const fixPlan = {
  summary: 'Make add() add instead of subtract so the test passes.',
  assumptions: ['node test.js is the test'],
  steps: [
    {
      id: 'step-1',
      title: 'Fix add',
      intent: 'Replace the subtraction with an addition.',
      files: [{ path: 'src/add.js', change: 'modify' as const }],
      commands: [],
      acceptance: 'add(2, 3) returns 5',
    },
  ],
  verification: [['node', 'test.js']],
  risks: [],
};

/**
 * A loaded configuration whose planner and actor talk to a scripted server. Llama Guard is left out so that guard
 * calls do not consume the scripted model turns.
 */
export function scriptedRunConfig(options: {
  workspace: string;
  baseUrl: string;
  toolCalling?: 'native' | 'text';
  images?: boolean;
  /** The window the scripted provider serves (with 2,048 output tokens), as a configuration would state it. */
  contextWindow?: number;
  change?: (config: HerdConfig) => HerdConfig;
}): LoadedHerdConfig {
  const base = createTestConfig({
    baseUrl: options.baseUrl,
    testCommand: fixtureTestCommand,
    ...(options.toolCalling ? { toolCalling: options.toolCalling } : {}),
    ...(options.images !== undefined ? { images: options.images } : {}),
  });
  const config: HerdConfig = {
    ...base,
    roles: { planner: base.roles?.planner, actor: base.roles?.actor },
    ...(options.contextWindow !== undefined
      ? {
          providers: {
            scripted: {
              ...base.providers!.scripted,
              limits: { default: { contextWindow: options.contextWindow, maxOutputTokens: 2_048 } },
            },
          },
        }
      : {}),
  };
  return {
    config: options.change ? options.change(config) : config,
    file: undefined,
    baseDirectory: options.workspace,
  };
}

/** The actor's tool call that fixes the fixture. */
export const fixEditCall = {
  toolCalls: [
    {
      name: 'edit_file',
      arguments: { path: 'src/add.js', edits: [{ search: 'left - right', replace: 'left + right' }] },
    },
  ],
};

/**
 * Scripts the whole fix of the fixture: the planner proposes {@link fixPlan}, the actor edits `src/add.js` and then
 * answers with `summary`.
 */
export function enqueueFixScenario(options: {
  server: { enqueue(turns: unknown, options?: { model?: string }): void };
  plannerModel: string;
  actorModel: string;
  summary?: string;
}): void {
  options.server.enqueue({ content: JSON.stringify(fixPlan) }, { model: options.plannerModel });
  options.server.enqueue([fixEditCall, { content: options.summary ?? 'done' }], {
    model: options.actorModel,
  });
}

/** Runs a task with Herd to its end (or its first wait): every event, and the result. */
export async function runHerdToEnd(
  options: CreateHerdOptions,
  task = 'make the failing test pass',
): Promise<{ result: HerdRunResult; events: HerdEvent[] }> {
  const herd = createHerd(options);
  const run = herd.run(task);
  const events: HerdEvent[] = [];
  for await (const event of run) events.push(event);
  const result = await run.result;
  await herd.close();
  return { result, events };
}
