import { relative, resolve } from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';
import type { HerdEvent, HerdEventOf, Plan } from '@herd/core';
import { renderPlanMarkdown } from '../planner/render-plan-markdown.js';
import { fileChangeDiff } from './file-change-diff.js';
import { presentToolCall } from './tool-call-presentation.js';

const classifierTitles = { prompt_guard: 'Prompt Guard 2', llama_guard: 'Llama Guard 4' } as const;

/** Options for {@link createSessionUpdateMapper}. */
export interface SessionUpdateMapperOptions {
  /** The session's workspace; ACP paths are absolute. */
  workspace: string;
  /**
   * `true` while the run happens; `false` when replaying a stored log for `session/load`, which also replays
   * the questions asked (live, those are the editor's own permission requests).
   */
  live: boolean;
  /** The served context window of a role, for `usage_update`; usage is not reported when it is unknown. */
  contextWindowOf?: (role: 'planner' | 'actor' | 'llamaGuard') => number | undefined;
}

/**
 * Turns Herd events into ACP `session/update` payloads, keeping what later updates need (the plan, tool calls).
 * Use one mapper for a whole session, so a run that acts on the plan an earlier run proposed updates its entries.
 */
export interface SessionUpdateMapper {
  /** The updates for one event, in order; many events map to none. */
  map(event: HerdEvent): acp.SessionUpdate[];
}

/**
 * Creates the renderer of one Herd event stream as ACP session updates: the plan as `plan` entries whose status
 * follows the steps, tool calls with kind, locations and results, file changes as diffs on the tool call that
 * made them, usage, and short agent messages for everything a person should read (the plan, step summaries,
 * guard verdicts, warnings, errors, the outcome). It adds nothing of its own: every update comes from an event.
 */
export function createSessionUpdateMapper(options: SessionUpdateMapperOptions): SessionUpdateMapper {
  const { workspace, live } = options;
  let task: string | undefined;
  let plan: Plan | undefined;
  const stepStatus = new Map<string, acp.PlanEntryStatus>();
  const stepLabel = new Map<string, string>();
  const toolContent = new Map<string, acp.ToolCallContent[]>();
  const lastCallForPath = new Map<string, string>();
  let changes = 0;
  let coverageTold = false;
  // A step's summary is the actor's last message; when that text was already streamed, it is not repeated.
  let actorSpoke = false;

  const message = (text: string): acp.SessionUpdate => ({
    sessionUpdate: 'agent_message_chunk',
    content: { type: 'text', text },
  });
  const thought = (text: string): acp.SessionUpdate => ({
    sessionUpdate: 'agent_thought_chunk',
    content: { type: 'text', text },
  });
  const planUpdate = (): acp.SessionUpdate => ({
    sessionUpdate: 'plan',
    entries: (plan?.steps ?? []).map((step) => ({
      content: stepLabel.get(step.id) ?? step.title,
      priority: 'medium',
      status: stepStatus.get(step.id) ?? 'pending',
    })),
  });
  const keyOf = (path: string) => relative(workspace, resolve(workspace, path));

  const handlers: { [TType in HerdEvent['type']]?: (event: HerdEventOf<TType>) => acp.SessionUpdate[] } = {
    'run-start': (event) => {
      task = event.task;
      const updates: acp.SessionUpdate[] = live
        ? []
        : [{ sessionUpdate: 'user_message_chunk', content: { type: 'text', text: event.task } }];
      // Said once, at the session's first run: which classifiers do not check this session, and why.
      const missing = (event.guard?.classifiers ?? []).filter((classifier) => classifier.state !== 'on');
      if (!coverageTold && event.guard) {
        coverageTold = true;
        if (missing.length > 0) {
          updates.push(
            message(
              `Guard: ${missing.map((classifier) => `${classifierTitles[classifier.name]} ${classifier.state} (${classifier.reason})`).join('; ')}.\n\n`,
            ),
          );
        }
      }
      return updates;
    },
    'context-pack': (event) => [
      thought(
        `Packed ${event.filesIncluded} files (${event.tokens} of ${event.budget} tokens, ${event.strategy === 'whole' ? 'whole files' : 'repository map'}).\n`,
      ),
    ],
    'plan-propose': (event) => {
      plan = event.plan;
      stepStatus.clear();
      stepLabel.clear();
      const markdown = renderPlanMarkdown({
        plan: event.plan,
        planId: event.planId,
        version: event.version,
        ...(task ? { task } : {}),
      });
      return [planUpdate(), message(`${markdown.trimEnd()}\n\n`)];
    },
    'plan-approve': (event) => [
      thought(
        `Plan ${event.planId} (version ${event.version}) approved ${event.by === 'user' ? 'by you' : 'by policy'}.\n`,
      ),
    ],
    'plan-deviation': (event) => [
      message(`Step ${event.stepId} went beyond the plan: ${event.detail} (policy: ${event.action}).\n\n`),
    ],
    'step-start': (event) => {
      actorSpoke = false;
      stepStatus.set(event.stepId, 'in_progress');
      return plan ? [planUpdate()] : [];
    },
    'step-finish': (event) => {
      const step = plan?.steps.find((candidate) => candidate.id === event.stepId);
      stepStatus.set(event.stepId, event.status === 'done' ? 'completed' : 'pending');
      if (step && event.status !== 'done') stepLabel.set(event.stepId, `${step.title} (${event.status})`);
      const updates = plan ? [planUpdate()] : [];
      if (event.summary && !actorSpoke) updates.push(message(`${event.summary.trimEnd()}\n\n`));
      if (actorSpoke) updates.push(message('\n\n'));
      return updates;
    },
    'model-call': (event) => {
      // A Llama Guard check is not the session's context filling up: only the planner's and actor's calls are.
      if (event.role === 'llamaGuard') return [];
      const size = options.contextWindowOf?.(event.role);
      if (!event.usage || size === undefined) return [];
      return [{ sessionUpdate: 'usage_update', used: event.usage.totalTokens, size }];
    },
    'model-text': (event) => {
      if (event.role === 'actor') {
        actorSpoke = true;
        return [message(event.text)];
      }
      return event.role === 'planner' ? [thought(event.text)] : [];
    },
    'tool-call': (event) => {
      const shown = presentToolCall({ workspace, name: event.name, arguments: event.arguments });
      for (const location of shown.locations) lastCallForPath.set(keyOf(location.path), event.callId);
      toolContent.set(event.callId, []);
      return [
        {
          sessionUpdate: 'tool_call',
          toolCallId: event.callId,
          title: shown.title,
          name: event.name,
          kind: shown.kind,
          status: 'in_progress',
          locations: shown.locations,
          rawInput: event.arguments,
        },
      ];
    },
    'tool-result': (event) => {
      const content: acp.ToolCallContent[] = event.content
        ? [{ type: 'content', content: { type: 'text', text: event.content } }]
        : [];
      toolContent.set(event.callId, content);
      return [
        {
          sessionUpdate: 'tool_call_update',
          toolCallId: event.callId,
          status: event.ok ? 'completed' : 'failed',
          content,
          rawOutput: {
            ok: event.ok,
            ...(event.errorCode ? { errorCode: event.errorCode } : {}),
            ...(event.sandboxed !== undefined ? { sandboxed: event.sandboxed } : {}),
          },
        },
      ];
    },
    'guard-verdict': (event) =>
      event.action === 'allow'
        ? []
        : [
            message(
              `Guard (${event.scanner} on ${event.point.replace('_', ' ')}): ${event.action}${event.reason ? ` — ${event.reason}` : ''}.\n\n`,
            ),
          ],
    'approval-request': (event) => (live ? [] : [thought(`Asked: ${event.title}\n`)]),
    'approval-resolve': (event) => (live ? [] : [thought(`Answer: ${event.decision.replace('_', ' ')}.\n`)]),
    'file-change': (event) => {
      const diff = fileChangeDiff({ workspace, event, live });
      const content: acp.ToolCallContent = diff ?? {
        type: 'content',
        content: { type: 'text', text: event.diff },
      };
      const path = resolve(workspace, event.path);
      const callId = lastCallForPath.get(keyOf(event.path));
      if (callId) {
        const merged = [...(toolContent.get(callId) ?? []), content];
        toolContent.set(callId, merged);
        return [
          { sessionUpdate: 'tool_call_update', toolCallId: callId, content: merged, locations: [{ path }] },
        ];
      }
      changes++;
      return [
        {
          sessionUpdate: 'tool_call',
          toolCallId: `file-change-${changes}-${event.path}`,
          title: `${event.change === 'create' ? 'Created' : event.change === 'delete' ? 'Deleted' : 'Changed'} ${event.path}`,
          kind: event.change === 'delete' ? 'delete' : 'edit',
          status: 'completed',
          content: [content],
          locations: [{ path }],
        },
      ];
    },
    warning: (event) => [message(`Warning: ${event.message}\n\n`)],
    error: (event) => [message(`Error: ${event.message}${event.hint ? ` ${event.hint}` : ''}\n\n`)],
    'run-finish': (event) => {
      const tokens = Object.entries(event.usage)
        .map(([role, usage]) => `${role} ${usage.totalTokens}`)
        .join(', ');
      const seconds = (event.durationMs / 1000).toFixed(1);
      const unverified = event.status === 'succeeded' && event.verification === 'not_run';
      return [
        message(
          `Run ${event.status.replace('_', ' ')}${unverified ? ', not verified,' : ''} in ${seconds} s${tokens ? ` (tokens: ${tokens})` : ''}.\n\n`,
        ),
      ];
    },
  };

  return {
    map(event) {
      const handler = handlers[event.type] as ((value: HerdEvent) => acp.SessionUpdate[]) | undefined;
      return handler ? handler(event) : [];
    },
  };
}
