import { ConfigError, formatConfigIssues, PlanCommandSchema } from '@herd/core';
import { z } from 'zod';

/** Per-token prices of a role's model, for the optional cost ceiling. */
export const PriceSchema = z
  .object({
    /** US dollars per million input tokens. */
    inputPerMillion: z.number().nonnegative(),
    /** US dollars per million output tokens. */
    outputPerMillion: z.number().nonnegative(),
  })
  .strict();

const roles = z.enum(['planner', 'actor', 'llamaGuard']);

/** Limits of one run. A run that reaches one stops with exit code 4. */
export const RunLimitsSchema = z
  .object({
    /** Plan steps acted on (including fix attempts). */
    steps: z.number().int().positive().default(40),
    /** Model calls across all roles. */
    modelCalls: z.number().int().positive().default(300),
    /** Tool calls within one step. */
    toolCallsPerStep: z.number().int().positive().default(60),
    /** Wall time of the whole run, in milliseconds. */
    wallTimeMs: z.number().int().positive().default(3_600_000),
    /** Total tokens (input + output) per role. */
    tokens: z.partialRecord(roles, z.number().int().positive()).default({}),
    /** Spending ceiling in US dollars, computed from `prices`. */
    costUsd: z.number().positive().optional(),
  })
  .strict();

/** The `run` section of `herd.config.json`. */
export const RunSettingsSchema = z
  .object({
    /** Command that verifies a change when the plan names none, e.g. ["npm", "test"]. */
    testCommand: PlanCommandSchema.optional(),
    /** Fix attempts by the actor after verification fails, before re-planning. */
    maxFixAttempts: z.number().int().min(0).max(10).default(3),
    /** Verify after every step instead of only after the last one (slower, catches a broken step early). */
    verifyAfterEachStep: z.boolean().default(false),
    /** Re-plans by the planner after the fix attempts are used up. */
    maxReplans: z.number().int().min(0).max(5).default(1),
    /**
     * Tokens kept free in the planner's window for its answer. Default: 8,192, or less for a small window (the
     * planner's `maxOutputTokens`, at most a quarter of its window), so an 8K local model still has room to read.
     */
    outputReserve: z.number().int().positive().optional(),
    /** What a plan deviation leads to, interactively and in CI. */
    deviations: z
      .object({
        interactive: z.enum(['allow', 'warn', 'ask', 'block']).default('ask'),
        ci: z.enum(['allow', 'warn', 'block']).default('block'),
      })
      .strict()
      .default({ interactive: 'ask', ci: 'block' }),
    limits: RunLimitsSchema.default(RunLimitsSchema.parse({})),
    /** Prices per role, for `limits.costUsd`. */
    prices: z.partialRecord(roles, PriceSchema).default({}),
    /** Where sessions are kept: a SQLite file path (default `.herd/sessions.db`) or a `postgres://` URL. */
    sessionDatabase: z.string().min(1).optional(),
  })
  .strict();

/** The `run` section of `herd.config.json`, parsed. */
export type RunSettings = z.infer<typeof RunSettingsSchema>;
/** Limits of one run. */
export type RunLimits = z.infer<typeof RunLimitsSchema>;

/**
 * Parses the `run` section of the configuration.
 *
 * @throws {ConfigError} naming each invalid field under `run.`.
 */
export function parseRunSettings(input: unknown, source = 'configuration'): RunSettings {
  const parsed = RunSettingsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = formatConfigIssues({ error: parsed.error, input: input ?? {}, prefix: 'run' });
  throw new ConfigError({
    source,
    issues,
    message: `The run settings in ${source} are invalid: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}.`,
  });
}
