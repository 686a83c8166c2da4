import { UserError } from '@herd/core';
import { z } from 'zod';

/** What a tool may do: `read` never changes anything, `write` changes files, `exec` runs programs. */
export type ToolAccess = 'read' | 'write' | 'exec';

/** What a tool's `run` receives besides its input. */
export interface ToolRunContext {
  /** Aborted when the caller cancels or the tool's time runs out; long work must stop when it fires. */
  signal: AbortSignal;
  /** True when a person approved this call after the policy asked (see `ApprovalRequiredError`). */
  approved: boolean;
  /** The call id from the model, when there is one. */
  callId: string | undefined;
}

/** What a tool's `run` returns: text for the model, or text plus structured data. */
export type ToolOutput<TData = unknown> = string | { content: string; data?: TData };

/** A tool: plain data plus a function. Build one with {@link defineTool}. */
export interface ToolDefinition<TInput extends z.ZodObject = z.ZodObject, TData = unknown> {
  /** Name the model calls, `[A-Za-z0-9_-]{1,64}`. */
  readonly name: string;
  /** What the tool does and when to use it, for the model. */
  readonly description: string;
  /** zod object schema of the arguments. */
  readonly input: TInput;
  /** Optional zod schema the returned `data` must satisfy. */
  readonly output?: z.ZodType<TData> | undefined;
  /** What the tool may do; decides MCP hints and whether a checkpoint is taken first. */
  readonly access: ToolAccess;
  /** True when the tool reaches outside the workspace (the network); sets MCP `openWorldHint`. */
  readonly openWorld?: boolean | undefined;
  /** Time limit in milliseconds, overriding the dispatcher's default. */
  readonly timeoutMs?: number | undefined;
  /** Valid example arguments, shown to the model when its arguments are invalid. */
  readonly examples?: readonly z.input<TInput>[] | undefined;
  /** Runs the tool with validated input. Throw a Herd error with a clear message to report a failure. */
  run(input: z.output<TInput>, context: ToolRunContext): Promise<ToolOutput<TData>> | ToolOutput<TData>;
}

/** Options for {@link defineTool}. */
export type DefineToolOptions<TInput extends z.ZodObject, TData> = ToolDefinition<TInput, TData>;

const namePattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Defines a tool. The input type of `run` is inferred from the zod schema.
 *
 * @throws UserError when the name is not `[A-Za-z0-9_-]{1,64}`, the description is empty, or the input is not a
 * zod object schema.
 * @example
 * const echo = defineTool({
 *   name: 'echo',
 *   description: 'Returns its text.',
 *   input: z.object({ text: z.string() }),
 *   access: 'read',
 *   run: ({ text }) => text,
 * });
 */
export function defineTool<TInput extends z.ZodObject, TData = unknown>(
  options: DefineToolOptions<TInput, TData>,
): ToolDefinition<TInput, TData> {
  if (!namePattern.test(options.name)) {
    throw new UserError({
      code: 'tool_name_invalid',
      message: `The tool name '${options.name}' is invalid; use 1 to 64 letters, digits, '_' or '-'.`,
    });
  }
  if (!options.description.trim()) {
    throw new UserError({
      code: 'tool_description_missing',
      message: `The tool '${options.name}' has an empty description; describe what it does for the model.`,
    });
  }
  if (!(options.input instanceof z.ZodObject)) {
    throw new UserError({
      code: 'tool_input_invalid',
      message: `The input of tool '${options.name}' is not a zod object schema; wrap the arguments in z.object({...}).`,
    });
  }
  if (!['read', 'write', 'exec'].includes(options.access)) {
    throw new UserError({
      code: 'tool_access_invalid',
      message: `The access '${String(options.access)}' of tool '${options.name}' is invalid; use 'read', 'write' or 'exec'.`,
    });
  }
  return Object.freeze({ ...options });
}
