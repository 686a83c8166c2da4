// Herd as a library: plan, act and verify a task in a repository, with a custom tool and a custom guard policy,
// streaming every event to the console. Run it from this folder:
//   pnpm start --workspace ../my-repo "fix the bug described in HERD-7"
// The repository's herd.config.json (or HERD_* variables) says which models to use.
import { parseArgs } from 'node:util';
import type { HerdEvent } from '@herd/core';
import { createHerd } from '@herd/engine';
import { createLookupTicketTool, type Ticket } from './lookup-ticket-tool.js';
import { teamGuardPolicy } from './team-guard-policy.js';

// `pnpm start -- --workspace …` passes the `--` on to the program (pnpm 10 does; npm and older pnpm drop it), and
// parseArgs would take everything after it as the task. A leading `--` is dropped for that reason.
const argv = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  allowPositionals: true,
  options: { workspace: { type: 'string', short: 'w' } },
});
const task = positionals.join(' ') || 'fix the bug described in HERD-7';

// The host application's data, which the model reaches only through the custom tool.
const tickets = new Map<string, Ticket>([
  [
    'HERD-7',
    {
      title: 'add() subtracts',
      body: 'add(2, 3) returns -1; it must return 5. `node test.js` shows it.',
      labels: ['bug'],
    },
  ],
]);

const herd = createHerd({
  ...(values.workspace ? { workspace: values.workspace } : {}),
  extraTools: [createLookupTicketTool({ tickets })],
  guardPolicy: teamGuardPolicy,
  // This program reviews nothing itself: it approves the plan and prints it. An application could show the plan
  // to a person instead, with `resolveApproval`.
  autoApprovePlan: true,
});

/** One line per event worth showing. */
function describe(event: HerdEvent): string | undefined {
  switch (event.type) {
    case 'run-start':
      return `▶ ${event.task}`;
    case 'plan-propose':
      return `plan: ${event.plan.summary} (${event.plan.steps.map((step) => step.id).join(', ')})`;
    case 'step-start':
      return `● ${event.stepId} ${event.title}`;
    case 'tool-call':
      return `  → ${event.name} ${JSON.stringify(event.arguments)}`;
    case 'tool-result':
      return `  ← ${event.name} ${event.ok ? 'ok' : 'failed'}: ${event.content.split('\n')[0]}`;
    case 'guard-verdict':
      return `  ⚠ guard ${event.point} ${event.scanner} ${event.action}: ${event.reason ?? ''}`;
    case 'file-change':
      return `  ✎ ${event.change} ${event.path}`;
    case 'step-finish':
      return `${event.status === 'done' ? '✓' : '✗'} ${event.stepId} ${event.status}`;
    case 'error':
      return `error: ${event.message}`;
    case 'run-finish':
      return `■ ${event.status} in ${(event.durationMs / 1000).toFixed(1)} s`;
    default:
      return undefined;
  }
}

try {
  const run = herd.run(task);
  for await (const event of run) {
    const line = describe(event);
    if (line !== undefined) console.log(line);
  }
  const result = await run.result;
  if (result.verification) console.log(`verification ${result.verification.passed ? 'passed' : 'failed'}`);
  if (result.patch) console.log(`\n${result.patch}`);
  process.exitCode = result.status === 'succeeded' ? 0 : 1;
} catch {
  // The run could not start (no model endpoint, a bad configuration): its error event was printed above.
  process.exitCode = 3;
} finally {
  await herd.close();
}
