import { z } from 'zod';
import { PlanSchema } from '../plan/plan.js';

/** Token usage of one model call or a sum of them. */
export const TokenUsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});
/** Token usage. */
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

/** The roles that call models. */
export const EventRoleSchema = z.enum(['planner', 'actor', 'llamaGuard']);

/** The actions a policy can decide on. */
export const PolicyActionSchema = z.enum(['allow', 'warn', 'ask', 'block', 'redact']);

/** Where content is checked. */
export const ScanPointSchema = z.enum([
  'user_input',
  'repo_content',
  'tool_output',
  'model_output',
  'tool_call',
]);

const base = {
  /** The run this event belongs to. */
  runId: z.string().min(1),
  /** When it happened, ISO 8601. */
  time: z.iso.datetime(),
};

const event = <TType extends string, TShape extends z.ZodRawShape>(type: TType, shape: TShape) =>
  z.object({ type: z.literal(type), ...base, ...shape });

/**
 * What one guard classifier covers in a run: `on` (it checks content), `skipped` (not configured, turned off, or
 * not served by the provider) or `failed` (configured, but it could not check everything), with the reason.
 */
export const GuardClassifierCoverageSchema = z.object({
  name: z.enum(['prompt_guard', 'llama_guard']),
  state: z.enum(['on', 'skipped', 'failed']),
  reason: z.string(),
});
/** What one guard classifier covers in a run. */
export type GuardClassifierCoverage = z.infer<typeof GuardClassifierCoverageSchema>;

/** A run began. */
export const RunStartEventSchema = event('run-start', {
  task: z.string(),
  mode: z.enum(['plan', 'act', 'run', 'ci']),
  workspace: z.string(),
  /** Which guard classifiers the run has, so no front door makes an unguarded run look guarded. */
  guard: z.object({ classifiers: z.array(GuardClassifierCoverageSchema) }).optional(),
});

/** The repository was packed for the planner. */
export const ContextPackEventSchema = event('context-pack', {
  filesIncluded: z.number().int().nonnegative(),
  filesExcluded: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(),
  budget: z.number().int().nonnegative(),
  strategy: z.enum(['whole', 'map']),
});

/** The planner proposed a plan. */
export const PlanProposeEventSchema = event('plan-propose', {
  planId: z.string().min(1),
  version: z.number().int().positive(),
  plan: PlanSchema,
});

/** A plan was approved (by a person, or automatically in CI). */
export const PlanApproveEventSchema = event('plan-approve', {
  planId: z.string().min(1),
  version: z.number().int().positive(),
  by: z.enum(['user', 'policy']),
});

/** The actor did something the plan did not name. */
export const PlanDeviationEventSchema = event('plan-deviation', {
  stepId: z.string(),
  kind: z.enum(['undeclared_file', 'undeclared_command']),
  detail: z.string(),
  action: PolicyActionSchema,
});

/** A plan step began. */
export const StepStartEventSchema = event('step-start', {
  stepId: z.string(),
  title: z.string(),
  attempt: z.number().int().positive(),
});

/** A plan step ended. */
export const StepFinishEventSchema = event('step-finish', {
  stepId: z.string(),
  status: z.enum(['done', 'failed', 'skipped', 'blocked']),
  summary: z.string().optional(),
});

/** A model call completed (or failed). */
export const ModelCallEventSchema = event('model-call', {
  role: EventRoleSchema,
  provider: z.string(),
  model: z.string(),
  usage: TokenUsageSchema.optional(),
  latencyMs: z.number().nonnegative(),
  outcome: z.enum(['ok', 'error', 'fallback']),
  error: z.string().optional(),
});

/** Text streamed from a model, released after the guard passed it. */
export const ModelTextEventSchema = event('model-text', {
  role: EventRoleSchema,
  text: z.string(),
});

/** The actor or planner called a tool. */
export const ToolCallEventSchema = event('tool-call', {
  callId: z.string(),
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
});

/** A tool returned. */
export const ToolResultEventSchema = event('tool-result', {
  callId: z.string(),
  name: z.string(),
  ok: z.boolean(),
  content: z.string(),
  errorCode: z.string().optional(),
  sandboxed: z.boolean().optional(),
});

/** The guard judged some content. */
export const GuardVerdictEventSchema = event('guard-verdict', {
  point: ScanPointSchema,
  scanner: z.string(),
  action: PolicyActionSchema,
  score: z.number().optional(),
  categories: z.array(z.string()).default([]),
  reason: z.string().optional(),
  /** The repository file the verdict is about, for files judged while packing (`repo_content`). */
  source: z.string().optional(),
});

/** Herd needs a decision from a person. */
export const ApprovalRequestEventSchema = event('approval-request', {
  requestId: z.string().min(1),
  kind: z.enum(['plan', 'write', 'command', 'deviation', 'guard']),
  title: z.string(),
  detail: z.string().optional(),
});

/** A person (or the policy) answered an approval request. */
export const ApprovalResolveEventSchema = event('approval-resolve', {
  requestId: z.string().min(1),
  decision: z.enum(['allow_once', 'allow_always', 'reject']),
});

/** A file in the workspace changed. */
export const FileChangeEventSchema = event('file-change', {
  path: z.string(),
  change: z.enum(['create', 'modify', 'delete']),
  diff: z.string(),
});

/** A checkpoint (undo point) was taken. */
export const CheckpointCreateEventSchema = event('checkpoint-create', {
  checkpointId: z.string().min(1),
  stepId: z.string().optional(),
});

/** Verification ran: the commands, whether they all passed, and the tail of their output. */
export const VerificationFinishEventSchema = event('verification-finish', {
  passed: z.boolean(),
  commands: z.array(z.array(z.string())),
  output: z.string(),
});

/** Something worth telling a person, that did not stop the run. */
export const WarningEventSchema = event('warning', {
  code: z.string(),
  message: z.string(),
});

/** An error; `fatal` errors end the run. */
export const ErrorEventSchema = event('error', {
  code: z.string(),
  blame: z.enum(['user', 'model', 'system', 'guard']),
  message: z.string(),
  hint: z.string().optional(),
  fatal: z.boolean(),
});

/** A run ended. */
export const RunFinishEventSchema = event('run-finish', {
  status: z.enum([
    'succeeded',
    'verification_failed',
    'blocked',
    'failed',
    'limits_exceeded',
    'cancelled',
    'awaiting_approval',
  ]),
  /**
   * How the change was verified, for runs that act: `passed`, `failed`, or `not_run` (no verification command,
   * or the run ended before verifying). Absent for plan-only runs and runs that failed to start.
   */
  verification: z.enum(['passed', 'failed', 'not_run']).optional(),
  usage: z.partialRecord(EventRoleSchema, TokenUsageSchema).default({}),
  durationMs: z.number().nonnegative(),
});

/**
 * Everything a run reports, as one discriminated union on `type`. Every front door (the CLI, the editor
 * protocol, the CI report) renders this one stream and adds nothing of its own.
 */
export const HerdEventSchema = z.discriminatedUnion('type', [
  RunStartEventSchema,
  ContextPackEventSchema,
  PlanProposeEventSchema,
  PlanApproveEventSchema,
  PlanDeviationEventSchema,
  StepStartEventSchema,
  StepFinishEventSchema,
  ModelCallEventSchema,
  ModelTextEventSchema,
  ToolCallEventSchema,
  ToolResultEventSchema,
  GuardVerdictEventSchema,
  ApprovalRequestEventSchema,
  ApprovalResolveEventSchema,
  FileChangeEventSchema,
  CheckpointCreateEventSchema,
  VerificationFinishEventSchema,
  WarningEventSchema,
  ErrorEventSchema,
  RunFinishEventSchema,
]);

/** Everything a run reports. */
export type HerdEvent = z.infer<typeof HerdEventSchema>;
/** The `type` of a {@link HerdEvent}. */
export type HerdEventType = HerdEvent['type'];
/** The event of a given type. */
export type HerdEventOf<TType extends HerdEventType> = Extract<HerdEvent, { type: TType }>;
/** What a producer writes: an event without `runId` and `time`, which the emitter stamps. */
export type HerdEventInput = HerdEvent extends infer TEvent
  ? TEvent extends HerdEvent
    ? Omit<TEvent, 'runId' | 'time'>
    : never
  : never;
