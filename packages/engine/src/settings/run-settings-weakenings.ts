import type { ConfigWeakening } from '@herd/core';
import { parseRunSettings, RunSettingsSchema } from './run-settings.js';

const defaults = RunSettingsSchema.parse({});
const firmness = { allow: 0, warn: 1, ask: 2, block: 3 } as const;

/**
 * What the `run` section weakens against its defaults, for the configuration trust check: a step that departs from
 * the approved plan let through (or only warned about) where a person would be asked, or in CI where it is blocked;
 * sessions (tasks, plans, what the tools returned) kept in a database the configuration chose. `testCommand` is
 * not among them: it runs sandboxed, like the repository's own tests in its CI, and whatever it runs the repository
 * already controls. Limits, prices and fix attempts change what a run costs, not what a model may do.
 *
 * @param value the raw `run` section (validated by {@link parseRunSettings}).
 */
export function runSettingsWeakenings(value: unknown): ConfigWeakening[] {
  const settings = parseRunSettings(value);
  const weakenings: ConfigWeakening[] = [];
  for (const mode of ['interactive', 'ci'] as const) {
    const configured = settings.deviations[mode];
    const standard = defaults.deviations[mode];
    if (firmness[configured] < firmness[standard]) {
      weakenings.push({
        path: `run.deviations.${mode}`,
        what: `${configured === 'allow' ? 'lets through' : 'only warns about'} a step that departs from the approved plan${mode === 'ci' ? ' in CI' : ''}, where Herd would ${standard === 'block' ? 'block it' : 'ask'}`,
      });
    }
  }
  if (settings.sessionDatabase !== undefined) {
    weakenings.push({
      path: 'run.sessionDatabase',
      what: `keeps sessions (tasks, plans, tool results) in ${describeDatabase(settings.sessionDatabase)}, which the configuration chose`,
    });
  }
  return weakenings;
}

/** A database location without a password in it. */
function describeDatabase(location: string): string {
  try {
    const url = new URL(location);
    if (url.protocol.startsWith('postgres')) return `the database at ${url.host}`;
  } catch {}
  return location;
}
