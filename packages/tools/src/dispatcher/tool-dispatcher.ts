import { HerdError } from '@herd/core';
import { ApprovalRequiredError } from '../errors/approval-required-error.js';
import type { ToolDefinition, ToolOutput } from '../tool/define-tool.js';
import { toolInputJsonSchema } from '../tool/tool-json-schema.js';
import type { ToolRegistry } from '../tool/tool-registry.js';
import { describeInputIssues } from './describe-input-issues.js';
import { exampleFromJsonSchema } from './example-from-json-schema.js';
import type { ToolCall } from './tool-call.js';
import type { ToolResult, ToolResultError } from './tool-result.js';

/** Takes a snapshot before a tool changes the workspace (and, when it can, records what the tool changed). */
export interface CheckpointTaker {
  /** Snapshots the workspace and returns the checkpoint id. */
  create(options: { label: string }): Promise<{ id: string }>;
  /**
   * Called when the tool has finished (or was stopped and its work has settled), with the checkpoint taken before
   * it: the files changed in between are recorded as Herd's, so an undo restores those and leaves others alone.
   */
  recordChange?(options: { since: string; label: string }): Promise<unknown>;
}

/** Options for {@link createToolDispatcher}. */
export interface ToolDispatcherOptions {
  /** The tools that may be called. */
  registry: ToolRegistry;
  /** Default time limit per call in milliseconds. Default 120000. */
  timeoutMs?: number;
  /** When given, a checkpoint is taken before every `write` and `exec` tool runs. */
  checkpoints?: CheckpointTaker;
}

/** Options for one dispatch. */
export interface DispatchOptions {
  /** Cancels the call; the result then has code `tool_aborted`. */
  signal?: AbortSignal;
  /** A person approved this exact call after the policy asked. */
  approved?: boolean;
}

/** Validates and runs tool calls. */
export interface ToolDispatcher {
  /** The tools this dispatcher runs. */
  readonly registry: ToolRegistry;
  /** Validates and runs one call. Never throws: every failure is a result with `ok: false`. */
  dispatch(call: ToolCall, options?: DispatchOptions): Promise<ToolResult>;
}

class CallStopped extends Error {
  constructor(readonly reason: 'timeout' | 'aborted') {
    super(reason);
  }
}

const failure = (
  base: Pick<ToolResult, 'name' | 'callId'>,
  started: number,
  error: ToolResultError,
  extra: Partial<ToolResult> = {},
): ToolResult => ({
  ...base,
  ok: false,
  content: error.hint ? `Error: ${error.message} ${error.hint}` : `Error: ${error.message}`,
  error,
  durationMs: Date.now() - started,
  ...extra,
});

const parseArguments = (raw: ToolCall['arguments']): { value: unknown } | { error: string } => {
  if (raw === undefined) return { value: {} };
  if (typeof raw !== 'string') return { value: raw };
  if (raw.trim() === '') return { value: {} };
  try {
    return { value: JSON.parse(raw) };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

const closestName = (name: string, names: readonly string[]): string | undefined => {
  const simplify = (value: string) => value.toLowerCase().replaceAll(/[^a-z0-9]/g, '');
  const wanted = simplify(name);
  return names.find(
    (candidate) =>
      simplify(candidate) === wanted || (simplify(candidate).includes(wanted) && wanted.length > 3),
  );
};

const exampleFor = (tool: ToolDefinition): string =>
  JSON.stringify(tool.examples?.[0] ?? exampleFromJsonSchema(toolInputJsonSchema(tool.input)));

/**
 * Creates the dispatcher: it parses and validates arguments with the tool's zod schema, takes a checkpoint before
 * writes, runs the tool with an abort signal and a time limit, and returns a {@link ToolResult}. Errors are
 * phrased for the model (which field, what was expected, an example); unknown tools list the available ones.
 *
 * @example
 * const dispatcher = createToolDispatcher({ registry });
 * const result = await dispatcher.dispatch({ name: 'read_file', arguments: '{"path":"README.md"}' });
 */
export function createToolDispatcher(options: ToolDispatcherOptions): ToolDispatcher {
  const { registry, timeoutMs = 120_000, checkpoints } = options;

  const dispatch = async (call: ToolCall, dispatchOptions: DispatchOptions = {}): Promise<ToolResult> => {
    const started = Date.now();
    const name = typeof call?.name === 'string' ? call.name : String(call?.name);
    const base = { name, ...(typeof call?.id === 'string' ? { callId: call.id } : {}) };
    let limit = timeoutMs;
    try {
      const tool = registry.get(name);
      if (!tool) {
        const available = registry.names();
        const suggestion = closestName(name, available);
        return failure(base, started, {
          code: 'unknown_tool',
          message: `There is no tool named '${name.slice(0, 100)}'. Available tools: ${available.join(', ') || '(none)'}.`,
          ...(suggestion ? { hint: `Did you mean '${suggestion}'?` } : {}),
        });
      }
      const parsedArguments = parseArguments(call.arguments);
      if ('error' in parsedArguments) {
        return failure(base, started, {
          code: 'invalid_json',
          message: `The arguments for '${name}' are not valid JSON (${parsedArguments.error}).`,
          hint: `Send one JSON object, for example ${exampleFor(tool)}.`,
        });
      }
      const value = parsedArguments.value;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return failure(base, started, {
          code: 'invalid_arguments',
          message: `The arguments for '${name}' must be a JSON object, not ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}.`,
          hint: `For example ${exampleFor(tool)}.`,
        });
      }
      const validated = tool.input.safeParse(value, { reportInput: true });
      if (!validated.success) {
        const problems = describeInputIssues(validated.error.issues);
        return failure(base, started, {
          code: 'invalid_arguments',
          message: `Invalid arguments for '${name}': ${problems.join('; ')}.`,
          hint: `Valid arguments look like ${exampleFor(tool)}.`,
        });
      }

      let checkpointId: string | undefined;
      if (checkpoints && tool.access !== 'read') {
        try {
          checkpointId = (await checkpoints.create({ label: `before ${name}` })).id;
        } catch (error) {
          return failure(base, started, {
            code: 'checkpoint_failed',
            message: `No checkpoint could be taken before '${name}', so it was not run (${(error as Error).message}).`,
            hint: 'Check that git is installed and the checkpoint directory is writable.',
          });
        }
      }
      const withCheckpoint = checkpointId ? { checkpointId } : {};

      const controller = new AbortController();
      let stop: (reason: CallStopped) => void = () => {};
      const stopped = new Promise<never>((_resolve, reject) => {
        stop = reject;
      });
      limit = tool.timeoutMs ?? timeoutMs;
      const timer = setTimeout(() => {
        controller.abort(new CallStopped('timeout'));
        stop(new CallStopped('timeout'));
      }, limit);
      const onAbort = () => {
        controller.abort(new CallStopped('aborted'));
        stop(new CallStopped('aborted'));
      };
      if (dispatchOptions.signal?.aborted) onAbort();
      else dispatchOptions.signal?.addEventListener('abort', onAbort, { once: true });
      const running = Promise.resolve().then(() =>
        tool.run(validated.data, {
          signal: controller.signal,
          approved: dispatchOptions.approved === true,
          callId: base.callId,
        }),
      );
      running.catch(() => {});
      // What the tool changed is recorded once it has settled, even after a timeout (its work may go on a while).
      const recorded =
        checkpointId && checkpoints?.recordChange
          ? running
              .catch(() => undefined)
              .then(() => checkpoints.recordChange?.({ since: checkpointId, label: `after ${name}` }))
              .catch(() => undefined)
          : undefined;
      try {
        const output: ToolOutput = await Promise.race([running, stopped]);
        const content = typeof output === 'string' ? output : output.content;
        const data = typeof output === 'string' ? undefined : output.data;
        if (tool.output && data !== undefined) {
          const checked = tool.output.safeParse(data);
          if (!checked.success) {
            return failure(
              base,
              started,
              {
                code: 'tool_output_invalid',
                message: `The tool '${name}' returned data that does not match its output schema (a bug in the tool).`,
              },
              withCheckpoint,
            );
          }
        }
        return {
          ...base,
          ok: true,
          content: typeof content === 'string' ? content : String(content),
          ...(data !== undefined ? { data } : {}),
          ...withCheckpoint,
          durationMs: Date.now() - started,
        };
      } finally {
        clearTimeout(timer);
        dispatchOptions.signal?.removeEventListener('abort', onAbort);
        // Unless the call was stopped while the tool still runs, the record is in before the result goes out.
        if (!controller.signal.aborted) await recorded;
      }
    } catch (error) {
      return failure(base, started, describeRunError({ name, error, limit }), approvalOf(error));
    }
  };

  return { registry, dispatch };
}

const approvalOf = (error: unknown): Partial<ToolResult> =>
  error instanceof ApprovalRequiredError ? { approval: error.request } : {};

const describeRunError = ({
  name,
  error,
  limit,
}: {
  name: string;
  error: unknown;
  limit: number;
}): ToolResultError => {
  if (error instanceof CallStopped) {
    return error.reason === 'timeout'
      ? {
          code: 'tool_timeout',
          message: `The tool '${name}' did not finish within ${limit} ms and was stopped.`,
          hint: 'Ask for less work at once, e.g. a narrower path or a shorter command.',
        }
      : { code: 'tool_aborted', message: `The call to '${name}' was cancelled.` };
  }
  if (HerdError.isInstance(error)) {
    return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'tool_failed', message: `The tool '${name}' failed: ${message}` };
};
