import { z } from 'zod';

/** A command as an argument vector: the program, then its arguments. Never a shell string. */
export const PlanCommandSchema = z
  .array(z.string().min(1))
  .min(1)
  .describe('Argument vector, e.g. ["npm", "test"]; the program first, no shell syntax.');

/** A file a step may touch, and how. */
export const PlanFileSchema = z.object({
  /** Path relative to the workspace root. */
  path: z.string().min(1).describe('Path relative to the repository root.'),
  /** What the step does to it. */
  change: z.enum(['create', 'modify', 'delete']),
});

/** One step of a plan: a contract for the actor, who may touch only the files and commands it names. */
export const PlanStepSchema = z.object({
  /** Stable id, e.g. `step-1`. */
  id: z.string().min(1),
  /** Short imperative title. */
  title: z.string().min(1),
  /** What the step achieves and how, for the actor. */
  intent: z.string().min(1),
  /** Files the step may change. */
  files: z.array(PlanFileSchema),
  /** Commands the step may run. */
  commands: z.array(PlanCommandSchema).default([]),
  /** How to tell the step is done. */
  acceptance: z.string().min(1),
});

/** A typed plan, as the planner (Llama 4 Scout) proposes it and the user approves it. */
export const PlanSchema = z.object({
  /** One paragraph: what will change and why. */
  summary: z.string().min(1),
  /** What the planner assumed about the repository or the task. */
  assumptions: z.array(z.string()).default([]),
  /** Ordered steps. */
  steps: z.array(PlanStepSchema).min(1),
  /** Commands that verify the whole change (tests, type checks). */
  verification: z.array(PlanCommandSchema).default([]),
  /** What could go wrong. */
  risks: z.array(z.string()).default([]),
});

/** A typed plan. */
export type Plan = z.infer<typeof PlanSchema>;
/** One step of a plan. */
export type PlanStep = z.infer<typeof PlanStepSchema>;
/** A file a step may touch. */
export type PlanFile = z.infer<typeof PlanFileSchema>;
/** A command as an argument vector. */
export type PlanCommand = z.infer<typeof PlanCommandSchema>;
