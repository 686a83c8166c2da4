import {
  EventRoleSchema,
  GuardClassifierCoverageSchema,
  GuardVerdictEventSchema,
  PlanDeviationEventSchema,
  PlanSchema,
  RunFinishEventSchema,
  TokenUsageSchema,
} from '@herd/core';
import { z } from 'zod';

/** The version of the report's shape; it changes only when a field is removed or changes meaning. */
export const ciReportSchemaVersion = 1;

/** How one plan step of a CI run ended. */
export const CiStepReportSchema = z
  .object({
    id: z.string().min(1),
    title: z.string(),
    /** `interrupted` when the run ended inside the step; `not_run` when it ended before the step began. */
    status: z.enum(['done', 'failed', 'skipped', 'blocked', 'interrupted', 'not_run']),
    /** Times the step was started (fix attempts start it again). */
    attempts: z.number().int().nonnegative(),
    /** The actor's closing summary of the step, when it gave one. */
    summary: z.string().optional(),
    /**
     * On a fix attempt (`fix-1`, ...): which attempt it was and the verification failure that came before it, so a
     * run that succeeded after a failed verification says so.
     */
    fix: z
      .object({
        attempt: z.number().int().positive(),
        /** One line of the failing verification output, e.g. `node test.js: add(2, 3) returned -1 expected 5`. */
        failure: z.string(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .describe('How one plan step ended.');
/** How one plan step of a CI run ended. */
export type CiStepReport = z.infer<typeof CiStepReportSchema>;

/** A command that was not run because the policy, the plan or a person refused it. */
export const CiRefusedCommandSchema = z
  .object({
    /** The step (or `verify`) that asked for it. */
    stepId: z.string(),
    argv: z.array(z.string()),
    /** `approval_required` when the policy asks and nobody can answer (CI), `refused` for the plan or a person. */
    code: z.string(),
    /** Why, as the model was told. */
    reason: z.string(),
  })
  .strict();
/** A command that was not run. */
export type CiRefusedCommand = z.infer<typeof CiRefusedCommandSchema>;

/** A file the run changed. */
export const CiChangedFileSchema = z
  .object({
    path: z.string().min(1),
    change: z.enum(['create', 'modify', 'delete']),
  })
  .strict();
/** A file the run changed. */
export type CiChangedFile = z.infer<typeof CiChangedFileSchema>;

/** The commit `--commit` made on a new branch. */
export const CiCommitSchema = z
  .object({
    branch: z.string().min(1),
    sha: z.string().regex(/^[0-9a-f]{40,64}$/),
    message: z.string().min(1),
  })
  .strict();
/** The commit `--commit` made on a new branch. */
export type CiCommit = z.infer<typeof CiCommitSchema>;

const eventFields = { type: true, runId: true, time: true } as const;

/**
 * The JSON report of one `herd ci` run: what was asked, the plan, what was done, verification, guard verdicts,
 * deviations, usage, and where the patch and summary were written. The exit code is in the report too, so a
 * pipeline can read the outcome from the file alone.
 */
export const CiReportSchema = z
  .object({
    /** Always 1 for this shape. */
    schemaVersion: z.literal(ciReportSchemaVersion),
    /** The Herd version that wrote the report. */
    herdVersion: z.string().min(1),
    /** The session id; `herd sessions` and `herd undo` know it. */
    sessionId: z.string().min(1),
    task: z.string(),
    /** Absolute path of the repository. */
    workspace: z.string().min(1),
    status: RunFinishEventSchema.shape.status,
    /**
     * The process exit code: 0 succeeded, 1 verification failed, 2 blocked, 3 configuration, provider or model output, 4 limits,
     * 130 cancelled.
     */
    exitCode: z.number().int().nonnegative(),
    /** One line saying why, when the run did not succeed. */
    reason: z.string().nullable(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    durationMs: z.number().nonnegative(),
    planId: z.string().nullable(),
    plan: PlanSchema.nullable(),
    steps: z.array(CiStepReportSchema),
    verification: z
      .object({
        passed: z.boolean(),
        /** The commands run and the tail of their output. */
        report: z.string(),
      })
      .strict()
      .nullable()
      .describe('The last verification; null when it never ran.'),
    /**
     * What the guard covered: each classifier `on`, `skipped` (not set up, turned off, or not served by the
     * provider) or `failed` (it could not check everything), with the reason. Empty when the run stopped before the
     * guard was built (the error says why).
     */
    guard: z
      .object({ classifiers: z.array(GuardClassifierCoverageSchema) })
      .strict()
      .describe('What the guard covered in this run.'),
    /** Every guard verdict that was not a plain allow. */
    guardVerdicts: z.array(GuardVerdictEventSchema.omit(eventFields)),
    /** Everything the actor did that the plan did not name, and what the policy did about it. */
    deviations: z.array(PlanDeviationEventSchema.omit(eventFields)),
    /** Commands asked for and not run (refused by the policy, the plan or a person); always written by this version. */
    refusedCommands: z.array(CiRefusedCommandSchema).optional(),
    changedFiles: z.array(CiChangedFileSchema),
    usage: z
      .object({
        /** Tokens by role. */
        byRole: z.partialRecord(EventRoleSchema, TokenUsageSchema),
        /** Model calls that completed or failed (fallbacks are not counted). */
        modelCalls: z.number().int().nonnegative(),
        totalTokens: z.number().int().nonnegative(),
      })
      .strict(),
    /** The fatal error, when the run ended with one. */
    error: z
      .object({
        code: z.string(),
        blame: z.enum(['user', 'model', 'system', 'guard']),
        message: z.string(),
        hint: z.string().optional(),
      })
      .strict()
      .nullable(),
    /** Where the outputs were written, as absolute paths. */
    outputs: z
      .object({
        patch: z.string().min(1),
        summary: z.string().min(1),
        report: z.string().min(1),
      })
      .strict(),
    /** The commit made with `--commit`; null without it or when there was nothing to commit. */
    commit: CiCommitSchema.nullable(),
  })
  .strict()
  .meta({ title: 'Herd CI report', description: 'The JSON report of one `herd ci` run.' });

/** The JSON report of one `herd ci` run. */
export type CiReport = z.infer<typeof CiReportSchema>;
