import type { PlanStep } from '@herd/core';
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Callbacks } from '@langchain/core/callbacks/manager';
import { HumanMessage } from '@langchain/core/messages';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { createAgent } from 'langchain';
import { actorMiddleware } from '../../actor/actor-middleware.js';
import { actorStepPrompt, actorSystemPrompt, type StepFileContent } from '../../actor/actor-prompt.js';
import { createDispatcherTools } from '../../actor/dispatcher-tools.js';
import { fitStepFiles, stepFilesShare } from '../../actor/fit-step-files.js';
import { createModelTextStreamer } from '../../actor/model-text-streamer.js';
import { withholdCallText } from '../../actor/withhold-call-text.js';
import { LimitExceededError } from '../../errors/limit-exceeded-error.js';
import { imageContentParts } from '../../images/task-image.js';
import type { RunContext } from '../run-context.js';
import type { Deviation, RunStateValue } from '../run-state.js';
import { servedRoles } from './served-roles.js';

/** Options for {@link runActor}. */
export interface RunActorOptions {
  context: RunContext;
  state: RunStateValue;
  step: PlanStep;
  /** The graph node's config: passing it on makes the agent a checkpointed subgraph, so a resume redoes nothing. */
  config: LangGraphRunnableConfig;
  /** On a fix attempt: what verification reported. */
  failure?: string;
}

/** What the actor did in one step. */
export interface ActorOutcome {
  summary: string;
  deviations: Deviation[];
  /** Why the guard stopped the step, when it did. */
  blocked: string | undefined;
}

/**
 * Runs the actor (Llama 4 Maverick) on one step with LangChain's `createAgent`: the step's context (plan, step,
 * current file contents), the workspace tools through the Herd dispatcher, and middleware for model routing and
 * fallbacks, run limits, the plan contract and approvals, and the guard.
 */
export async function runActor(options: RunActorOptions): Promise<ActorOutcome> {
  const { context, state, step } = options;
  const plan = state.plan!;
  const tools = createDispatcherTools({ dispatcher: context.tools.dispatcher });
  // The window the actor's host actually serves (asked once), which every request and tool result is sized to.
  const { actor } = await servedRoles(context);
  const smallestWindow = Math.min(
    actor.contextWindow,
    ...actor.fallbacks.map((entry) => entry.contextWindow),
  );
  const files = await readStepFiles({
    context,
    step,
    budget: Math.floor(smallestWindow * stepFilesShare),
  });
  const actorStack = actorMiddleware({
    routing: { role: context.roles.actor, models: context.actorModels, emit: context.emit },
    contract: {
      step,
      extraCommands: [
        ...plan.verification,
        ...(context.settings.testCommand ? [context.settings.testCommand] : []),
      ],
      registry: context.tools.registry,
      tools,
      onDeviation: context.interactive
        ? context.settings.deviations.interactive
        : context.settings.deviations.ci,
      interactive: context.interactive,
      memory: context.memory,
      emit: context.emit,
      maxToolCalls: context.settings.limits.toolCallsPerStep,
      commandsApproved: state.approvedBy === 'user',
      testCommand: context.settings.testCommand,
    },
    guard: context.guard.agent,
    meter: context.meter,
    contextWindow: { role: actor, models: context.actorModels, emit: context.emit },
    textToolCalling: context.roles.actor.toolCalling === 'text',
  });
  const agent = createAgent({
    model: context.actorModels[0]!,
    tools: tools.tools,
    systemPrompt: actorSystemPrompt,
    middleware: actorStack.middleware,
  });
  const prompt = actorStepPrompt({
    plan,
    step,
    files,
    ...(options.failure ? { failure: options.failure } : {}),
  });
  const toolCallLimit = context.settings.limits.toolCallsPerStep;
  const blocksBefore = context.guard.blocks.length;
  // Text calls are parsed from the reply, so their raw text is not shown as it streams.
  const streamer =
    context.roles.actor.toolCalling === 'native'
      ? createModelTextStreamer({
          role: 'actor',
          // A native host may still answer with pythonic text: it is a call, not words to show the user.
          guard: (source) =>
            context.guard.stream(
              withholdCallText(source, { toolNames: tools.tools.map((entry) => entry.name) }),
            ),
          emit: context.emit,
        })
      : undefined;
  try {
    const result = await agent.invoke(
      { messages: [new HumanMessage({ content: await actorContent({ context, state, prompt }) })] },
      // Each tool call costs graph super-steps (the model, the tools, and in an interactive run the guard's and the
      // limits' hooks); the limit itself is counted exactly by the plan contract middleware.
      {
        ...options.config,
        recursionLimit: toolCallLimit * 6 + 20,
        ...(streamer ? { callbacks: withHandler(options.config.callbacks, streamer.handler) } : {}),
      },
    );
    await streamer?.drained();
    const last = result.messages.at(-1);
    const summary = typeof last?.content === 'string' ? last.content : '';
    const blocks = context.guard.blocks.slice(blocksBefore);
    return {
      summary,
      // From the agent's checkpointed state, not this call: a step resumed after an approval keeps the
      // deviations recorded before the pause.
      deviations: result.deviations,
      blocked:
        blocks.length > 0 ? blocks.map((block) => `${block.point}: ${block.reason}`).join('; ') : undefined,
    };
  } catch (caught) {
    const error = actorStack.unwrapError(caught);
    if (error instanceof Error && error.name === 'GraphRecursionError') {
      throw new LimitExceededError({
        limit: 'toolCallsPerStep',
        value: toolCallLimit,
        maximum: toolCallLimit,
      });
    }
    throw error;
  }
}

/** Adds a callback handler to whatever callbacks the graph passed down (a list or a manager). */
function withHandler(callbacks: Callbacks | undefined, handler: BaseCallbackHandler): Callbacks {
  if (!callbacks) return [handler];
  if (Array.isArray(callbacks)) return [...callbacks, handler];
  return callbacks.copy([handler]);
}

async function actorContent(input: { context: RunContext; state: RunStateValue; prompt: string }) {
  const { context, state, prompt } = input;
  if (state.images.length === 0 || !context.roles.actor.images) return prompt;
  const images = await imageContentParts({ images: state.images, workspace: context.workspace });
  return [{ type: 'text' as const, text: prompt }, ...images];
}

/**
 * The current contents of the step's files for the actor's first message, together within `budget` tokens (a
 * file too large for the window is shown in part, with a note on reading the rest).
 */
async function readStepFiles(input: {
  context: RunContext;
  step: PlanStep;
  budget: number;
}): Promise<StepFileContent[]> {
  const { context, step } = input;
  const read = await Promise.all(
    step.files.map(async (file): Promise<StepFileContent> => {
      if (file.change === 'create') return { ...file, content: undefined, note: 'to be created' };
      const result = await context.tools.dispatcher.dispatch({
        name: 'read_file',
        arguments: { path: file.path },
      });
      if (!result.ok) return { ...file, content: undefined, note: result.content };
      return { ...file, content: result.content };
    }),
  );
  return Promise.all(
    fitStepFiles({ files: read, budget: input.budget }).map(async (file) => {
      if (file.content === undefined) return file;
      // File contents go into the actor's own prompt, so they pass the guard like any repository content.
      const verdict = await context.guard.check({ point: 'repo_content', text: file.content });
      if (verdict.action === 'block') {
        return {
          ...file,
          content: undefined,
          note: `content withheld: the guard blocked it (${verdict.reason ?? 'policy'}); read it with read_file if you must`,
        };
      }
      return { ...file, content: verdict.text };
    }),
  );
}
