import { PolicyActionSchema, ScanPointSchema } from '@herd/core';
import { z } from 'zod';
import { defaultPatternRules, PatternRuleSchema } from '../scanners/pattern-scanner.js';

/** How content is handled on a hit: pass, pass with a warning, ask a person, refuse, or pass with the hit removed. */
export { PolicyActionSchema as GuardActionSchema };
/** A guard action. */
export type GuardAction = z.infer<typeof PolicyActionSchema>;
/** Where content is checked. */
export type ScanPoint = z.infer<typeof ScanPointSchema>;

/** The run mode a verdict is for: `plan` and `act` are interactive, `ci` has nobody to ask. */
export const GuardModeSchema = z.enum(['plan', 'act', 'ci']);
/** A run mode. */
export type GuardMode = z.infer<typeof GuardModeSchema>;

/** One scanner at one scan point: whether it runs, its threshold, and the action on a hit. */
export const ScannerRuleSchema = z
  .object({
    /** Whether the scanner runs here; defaults to true. */
    enabled: z.boolean().default(true),
    /** A finding scores at least this much to count as a hit, 0..1; defaults to 0.9 for Prompt Guard, else 0.5. */
    threshold: z.number().min(0).max(1).optional(),
    /** What a hit does. */
    action: PolicyActionSchema,
  })
  .strict();
/** A scanner rule. */
export type ScannerRule = z.infer<typeof ScannerRuleSchema>;

/** Which scanners run at a point, by name; a scanner left out does not run. */
export const ScannerRulesSchema = z
  .object({
    hidden_text: ScannerRuleSchema.optional(),
    secrets: ScannerRuleSchema.optional(),
    patterns: ScannerRuleSchema.optional(),
    prompt_guard: ScannerRuleSchema.optional(),
    llama_guard: ScannerRuleSchema.optional(),
  })
  .strict();
/** Scanner rules by scanner name. */
export type ScannerRules = z.infer<typeof ScannerRulesSchema>;

/** What a mode changes at a point: scanner rules replace the point's rule of the same scanner. */
export const ModeOverrideSchema = z
  .object({
    scanners: ScannerRulesSchema.optional(),
    onError: PolicyActionSchema.optional(),
  })
  .strict();

/** The policy at one scan point. */
export const PointPolicySchema = z
  .object({
    /** Scanner rules. */
    scanners: ScannerRulesSchema.default({}),
    /**
     * Action when a scanner fails or times out; defaults to fail-closed: `block` in `ci`, `ask` interactively.
     */
    onError: PolicyActionSchema.optional(),
    /** Per-mode changes. */
    modes: z
      .object({
        plan: ModeOverrideSchema.optional(),
        act: ModeOverrideSchema.optional(),
        ci: ModeOverrideSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
/** The policy at one scan point. */
export type PointPolicy = z.infer<typeof PointPolicySchema>;

/** How the agent middleware ends a blocked step, as LangChain's moderation middleware does. */
export const BlockOutcomeSchema = z.enum(['end', 'error', 'replace']);
/** A block outcome. */
export type BlockOutcome = z.infer<typeof BlockOutcomeSchema>;

/** The guard policy: one JSON-serializable object answering "may this content pass?" at every scan point. */
export const GuardPolicySchema = z
  .object({
    /** Name for logs, e.g. the preset it came from. */
    name: z.string().default('custom'),
    /** Scan points; a point left out is not scanned. */
    points: z
      .object({
        user_input: PointPolicySchema.optional(),
        repo_content: PointPolicySchema.optional(),
        tool_output: PointPolicySchema.optional(),
        model_output: PointPolicySchema.optional(),
        tool_call: PointPolicySchema.optional(),
      })
      .strict()
      .default({}),
    /** Classifiers that must be configured: their absence is an error, not a pass. */
    require: z.array(z.enum(['prompt_guard', 'llama_guard'])).default([]),
    /** Patterns for the `patterns` scanner. */
    patterns: z.array(PatternRuleSchema).default(defaultPatternRules),
    /** Llama Guard categories (`S1`..`S14`) that never count as a hit. */
    excludedCategories: z.array(z.string().regex(/^S(1[0-4]|[1-9])$/)).default([]),
    /** How the agent middleware ends a blocked step: end the run, throw, or replace the content. */
    blockOutcome: BlockOutcomeSchema.default('end'),
  })
  .strict();

/** A parsed guard policy. */
export type GuardPolicy = z.infer<typeof GuardPolicySchema>;
/** A guard policy as written. */
export type GuardPolicyInput = z.input<typeof GuardPolicySchema>;

/** Every scan point, in the order a run meets them. */
export const scanPoints: readonly ScanPoint[] = ScanPointSchema.options;
