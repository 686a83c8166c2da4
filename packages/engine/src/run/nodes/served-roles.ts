import { learnServedWindow, type ResolvedModelRole } from '@herd/core';
import type { RunContext } from '../run-context.js';

/** The planner and actor roles with the windows their hosts actually serve. */
export interface ServedRoles {
  planner: ResolvedModelRole;
  actor: ResolvedModelRole;
}

const learned = new WeakMap<RunContext, Promise<ServedRoles>>();

/**
 * The run's planner and actor roles with the windows their hosts serve (asked once per process; see
 * `learnServedWindow`), learned once per run: a configured window larger than the host serves is lowered, with a
 * `context_window` warning naming the setting.
 */
export function servedRoles(context: RunContext): Promise<ServedRoles> {
  let roles = learned.get(context);
  if (!roles) {
    roles = (async () => {
      const [planner, actor] = await Promise.all([
        learnServedWindow({ role: context.roles.planner }),
        learnServedWindow({ role: context.roles.actor }),
      ]);
      for (const message of new Set([...planner.warnings, ...actor.warnings])) {
        context.emit({ type: 'warning', code: 'context_window', message });
      }
      return { planner: planner.role, actor: actor.role };
    })();
    learned.set(context, roles);
  }
  return roles;
}

/** Each model of a role's chain with the window it is served with, in the order of `createChatModelChain`. */
export function chainWindows(
  role: ResolvedModelRole,
): Array<{ contextWindow: number; maxOutputTokens: number }> {
  return [role, ...role.fallbacks].map(({ contextWindow, maxOutputTokens }) => ({
    contextWindow,
    maxOutputTokens,
  }));
}
