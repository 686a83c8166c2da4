import {
  createO200kTokenCounter,
  invokeWithFallbacks,
  ModelBehaviorError,
  maxTokensFor,
  modelEndpointOf,
  type Plan,
  PlanSchema,
  ProviderError,
  replyTokenBudget,
  type StructuredOutput,
} from '@herd/core';
import { type createChatModel, modelCallErrorText } from '@herd/core/models';
import {
  AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages';
import { z } from 'zod';
import type { ImageContentPart } from '../images/task-image.js';
import { extractJsonObject } from './extract-json-object.js';
import { findPlanProblems } from './find-plan-problems.js';
import { parseLenientJson } from './parse-lenient-json.js';
import { planJsonSchema } from './plan-json-schema.js';
import { type PlannerPromptOptions, plannerSystemPrompt, plannerUserPrompt } from './planner-prompt.js';

/** A chat model as built by `createChatModel` from `@herd/core`. */
export type ChatModel = ReturnType<typeof createChatModel>;

/** Reported after every planner model call. */
export interface PlannerCallReport {
  model: string;
  latencyMs: number;
  usage: { inputTokens: number; outputTokens: number; totalTokens: number } | undefined;
  outcome: 'ok' | 'error' | 'fallback';
  error?: string;
}

/** Options for {@link requestPlan}. */
export interface RequestPlanOptions extends PlannerPromptOptions {
  /** The planner's model followed by its fallbacks. */
  models: readonly ChatModel[];
  /** How the host can be made to answer with JSON: `response_format`, a forced tool call, or text. */
  structuredOutput: StructuredOutput;
  /** Cancels the request. */
  signal?: AbortSignal;
  /** Told about every model call, for events and usage accounting. */
  onModelCall?: (report: PlannerCallReport) => void;
  /** Images that came with the task, as content parts (only for a planner whose provider accepts images). */
  images?: readonly ImageContentPart[];
  /** Most steps a plan may have (the run's step limit). Default {@link defaultMaxPlanSteps}. */
  maxSteps?: number;
  /**
   * The window each model of `models` is served with and the most it may write, in the same order. Each request
   * then asks for `min(maxOutputTokens, window − prompt − margin)` tokens, so prompt plus answer always fit.
   */
  windows?: ReadonlyArray<{ contextWindow: number; maxOutputTokens: number }>;
}

/** The smallest answer worth asking the planner for; a prompt leaving less is refused before it is sent. */
export const minimumPlanReplyTokens = 1_024;

const exactCounter = createO200kTokenCounter();
const estimateCounter = createO200kTokenCounter({ mode: 'estimate' });

/**
 * The prompt's o200k tokens: the fast estimate when the prompt is far from filling the window, the BPE (whose ranks
 * take a moment to load) when the answer's room depends on the last few percent.
 */
function countPromptTokens(text: string, window: { contextWindow: number; maxOutputTokens: number }): number {
  const estimate = estimateCounter.count(text);
  return estimate * 1.1 + window.maxOutputTokens < window.contextWindow * 0.8
    ? Math.ceil(estimate * 1.1)
    : exactCounter.count(text);
}

/** The most steps a plan may have when the caller sets no limit. */
export const defaultMaxPlanSteps = 100;

/** The most characters a plan may take as JSON: a plan is read by a person, stored, and sent with every step. */
export const maxPlanCharacters = 100_000;

/** A plan the planner produced, with how many model turns it took. */
export interface RequestedPlan {
  plan: Plan;
  /** 1 when the first answer was valid, 2 when the repair turn was needed. */
  attempts: number;
}

const submitPlanTool = {
  type: 'function' as const,
  function: {
    name: 'submit_plan',
    description: 'Submit the plan. Call this exactly once with the whole plan.',
    parameters: planJsonSchema,
  },
};

/**
 * Asks the planner for a typed plan. With `json_schema` the host is given the plan's JSON Schema as
 * `response_format`; with `tool` the plan is the arguments of a forced `submit_plan` call; with `text` the schema
 * is in the prompt and the JSON is taken from the reply. An invalid answer gets one repair turn that shows the
 * model the validation errors.
 *
 * @throws {ModelBehaviorError} `plan_invalid` when the answer is still invalid after the repair turn.
 */
export async function requestPlan(options: RequestPlanOptions): Promise<RequestedPlan> {
  const { structuredOutput } = options;
  const messages: BaseMessage[] = [
    new SystemMessage(plannerSystemPrompt),
    new HumanMessage({ content: userContent(options) }),
  ];
  let lastProblem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    const reply = await callPlanner({ options, messages });
    const candidate = readCandidate(reply, structuredOutput);
    const parsed = 'value' in candidate ? PlanSchema.safeParse(candidate.value) : undefined;
    const problems = parsed?.success
      ? findPlanProblems(parsed.data, {
          maxSteps: options.maxSteps ?? defaultMaxPlanSteps,
          maxCharacters: maxPlanCharacters,
        })
      : [];
    if (parsed?.success && problems.length === 0) return { plan: parsed.data, attempts: attempt };
    lastProblem = parsed?.success
      ? problems.join('\n')
      : parsed
        ? z.prettifyError(parsed.error)
        : (candidate as { error: string }).error;
    if (!parsed?.success && wasCutOff(reply)) {
      lastProblem = `the reply was cut off at the output token limit (finish_reason "length"), so ${lastProblem}; send a shorter plan`;
    }
    messages.push(echoedReply(reply), ...repairMessages({ reply, problem: lastProblem, structuredOutput }));
  }
  throw new ModelBehaviorError({
    code: 'plan_invalid',
    message: `The planner answered with an invalid plan twice (${firstLine(lastProblem)}); try again, simplify the task, or use a planner model that supports JSON-schema output.`,
    output: lastProblem,
  });
}

function userContent(options: RequestPlanOptions) {
  const text = plannerUserPrompt({
    ...options,
    ...(options.structuredOutput === 'text' ? { jsonInText: JSON.stringify(planJsonSchema) } : {}),
  });
  if (!options.images || options.images.length === 0) return text;
  return [{ type: 'text' as const, text }, ...options.images];
}

async function callPlanner(input: {
  options: RequestPlanOptions;
  messages: BaseMessage[];
}): Promise<AIMessage> {
  const { options, messages } = input;
  return invokeWithFallbacks({
    models: options.models,
    onFallback: ({ from, error }) =>
      options.onModelCall?.({
        model: options.models[from]?.model ?? 'unknown',
        latencyMs: 0,
        usage: undefined,
        outcome: 'fallback',
        error: modelCallErrorText(error),
      }),
    call: async (model, index) => {
      const started = performance.now();
      const maxTokens = replyBudget({ options, messages, index, model });
      const reply = await invokeWithStrategy({ model, messages, options, maxTokens });
      const usage = reply.usage_metadata;
      options.onModelCall?.({
        model: model.model,
        latencyMs: performance.now() - started,
        usage: usage
          ? {
              inputTokens: usage.input_tokens,
              outputTokens: usage.output_tokens,
              totalTokens: usage.total_tokens,
            }
          : undefined,
        outcome: 'ok',
      });
      return reply;
    },
  });
}

/**
 * The tokens this call may ask for, given the model's served window and the prompt as o200k counts it; refused
 * before sending when the prompt leaves too little (the plan node then packs into a smaller budget).
 */
function replyBudget(input: {
  options: RequestPlanOptions;
  messages: BaseMessage[];
  index: number;
  model: ChatModel;
}): number | undefined {
  const window = input.options.windows?.[input.index];
  if (!window) return undefined;
  const rendered = input.messages.map((message) => message.text).join('\n');
  const schema = input.options.structuredOutput === 'tool' ? JSON.stringify(submitPlanTool) : '';
  const promptTokens = countPromptTokens(rendered + schema, window) + 4 * input.messages.length;
  const budget = replyTokenBudget({ ...window, promptTokens });
  if (budget >= Math.min(minimumPlanReplyTokens, window.maxOutputTokens)) return budget;
  throw new ProviderError({
    code: 'context_length_exceeded',
    provider: modelEndpointOf(input.model)?.provider ?? 'unknown',
    model: input.model.model,
    message: `The planner's prompt (${promptTokens} tokens) leaves no room for a plan in the ${window.contextWindow}-token context window ${input.model.model} is served with; pack less of the repository (herd pack --budget), or serve a larger window and set roles.planner.contextWindow to it.`,
  });
}

function invokeWithStrategy(input: {
  model: ChatModel;
  messages: BaseMessage[];
  options: RequestPlanOptions;
  maxTokens: number | undefined;
}): Promise<AIMessage> {
  const { model, messages, options } = input;
  const signal = options.signal;
  const limit = input.maxTokens === undefined ? {} : maxTokensFor(input.maxTokens);
  switch (options.structuredOutput) {
    case 'json_schema':
      // Streamed on purpose: a non-streaming json_schema request goes through the OpenAI SDK's `parse`, which
      // throws on invalid JSON and loses the text the repair turn needs to show the model.
      return collect(
        model.stream(messages, {
          ...(signal ? { signal } : {}),
          ...limit,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'plan', description: 'A Herd plan', schema: planJsonSchema, strict: false },
          },
        }),
      );
    case 'tool':
      return model
        .bindTools([submitPlanTool], {
          tool_choice: { type: 'function', function: { name: 'submit_plan' } },
          ...limit,
        })
        .invoke(messages, signal ? { signal } : {});
    default:
      return model.invoke(messages, { ...(signal ? { signal } : {}), ...limit });
  }
}

async function collect(stream: Promise<AsyncIterable<AIMessageChunk>>): Promise<AIMessage> {
  let merged: AIMessageChunk | undefined;
  for await (const chunk of await stream) merged = merged ? merged.concat(chunk) : chunk;
  return new AIMessage({
    content: merged?.content ?? '',
    tool_calls: merged?.tool_calls ?? [],
    response_metadata: merged?.response_metadata ?? {},
    ...(merged?.usage_metadata ? { usage_metadata: merged.usage_metadata } : {}),
  });
}

function readCandidate(
  reply: AIMessage,
  structuredOutput: StructuredOutput,
): { value: unknown } | { error: string } {
  if (structuredOutput === 'tool') {
    const call = reply.tool_calls?.find((toolCall) => toolCall.name === 'submit_plan');
    if (call) return { value: call.args };
    const unreadable = reply.invalid_tool_calls?.find((toolCall) => toolCall.name === 'submit_plan');
    if (unreadable) {
      const lenient = parseLenientJson(unreadable.args ?? '');
      if ('value' in lenient && lenient.value && typeof lenient.value === 'object') return lenient;
      return { error: `the submit_plan arguments are not valid JSON (${jsonError(unreadable.args)})` };
    }
    // Some hosts ignore tool_choice and answer in text; accept a JSON plan there too.
  }
  return extractJsonObject(reply.text);
}

function repairMessages(input: {
  reply: AIMessage;
  problem: string;
  structuredOutput: StructuredOutput;
}): BaseMessage[] {
  const instruction = `That plan is not valid:\n${input.problem}\nSend the whole corrected plan again${
    input.structuredOutput === 'tool' ? ' by calling submit_plan' : ' as a single JSON object'
  }.`;
  // A call whose arguments did not parse is still sent back to the host, which then expects its answer.
  const call = [...(input.reply.tool_calls ?? []), ...(input.reply.invalid_tool_calls ?? [])].find(
    (toolCall) => toolCall.name === 'submit_plan',
  );
  if (call?.id) return [new ToolMessage({ tool_call_id: call.id, content: instruction, status: 'error' })];
  return [new HumanMessage(instruction)];
}

/** The most characters of an invalid plan sent back with the repair turn. */
export const maxEchoedPlanCharacters = 20_000;

/**
 * The planner's invalid reply as it is sent back with the repair turn: whole when short, otherwise cut (a plan of
 * thousands of steps, sent back whole beside the packed repository, would not fit the window; the repair asks for
 * the whole plan again anyway).
 */
function echoedReply(reply: AIMessage): AIMessage {
  const calls = reply.tool_calls ?? [];
  const longText = reply.text.length > maxEchoedPlanCharacters;
  const invalid = reply.invalid_tool_calls ?? [];
  const longCall =
    calls.some((call) => JSON.stringify(call.args).length > maxEchoedPlanCharacters) ||
    invalid.some((call) => (call.args?.length ?? 0) > maxEchoedPlanCharacters);
  if (!longText && !longCall) return reply;
  const note = `\n[Herd cut this reply here: it was ${reply.text.length} characters long.]`;
  return new AIMessage({
    content: longText ? reply.text.slice(0, maxEchoedPlanCharacters) + note : reply.content,
    tool_calls: calls.map((call) =>
      JSON.stringify(call.args).length > maxEchoedPlanCharacters ? { ...call, args: {} } : call,
    ),
    invalid_tool_calls: invalid.map((call) =>
      (call.args?.length ?? 0) > maxEchoedPlanCharacters
        ? { ...call, args: call.args!.slice(0, maxEchoedPlanCharacters) }
        : call,
    ),
    response_metadata: reply.response_metadata,
  });
}

function jsonError(text: string | undefined): string {
  try {
    JSON.parse(text ?? '');
    return 'they are not an object';
  } catch (error) {
    return (error as Error).message;
  }
}

function wasCutOff(reply: AIMessage): boolean {
  const metadata = reply.response_metadata as { finish_reason?: unknown } | undefined;
  return metadata?.finish_reason === 'length';
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim().length > 0) ?? text).trim().slice(0, 200);
}
