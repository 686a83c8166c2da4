import { type Plan, PlanDeviationEventSchema } from '@herd/core';
import { Annotation } from '@langchain/langgraph';
import type { z } from 'zod';
import type { TaskImage } from '../images/task-image.js';

/** How a run was started: plan only, act on an approved plan, plan then act, or headless in CI. */
export type RunMode = 'plan' | 'act' | 'run' | 'ci';

/** How a run ended. */
export type RunStatus =
  | 'succeeded'
  | 'verification_failed'
  | 'blocked'
  | 'failed'
  | 'limits_exceeded'
  | 'cancelled';

/** What verification found the last time it ran. */
export interface VerificationOutcome {
  /** Nothing failed: every command passed, or there was none to run (see `skipped`). */
  passed: boolean;
  /**
   * True when there was no verification command (the plan named none and `run.testCommand` is unset): nothing
   * vouches for the change, though the run goes on as if verification passed.
   */
  skipped?: boolean;
  /** The commands run and their output (tail), for the report and for the actor's fix attempts. */
  report: string;
}

/** Something the actor did that the plan did not name: the `plan-deviation` event without its envelope. */
export const DeviationSchema = PlanDeviationEventSchema.pick({
  stepId: true,
  kind: true,
  detail: true,
  action: true,
});

/** Something the actor did that the plan did not name. */
export type Deviation = z.infer<typeof DeviationSchema>;

const last = <T>(initial: T) => Annotation<T>({ reducer: (_previous, next) => next, default: () => initial });

/**
 * The persisted state of a run (a LangGraph thread). Only plain data lives here: it is checkpointed after every
 * node, which is what lets `herd resume` continue a killed run after its last completed step.
 */
export const RunState = Annotation.Root({
  task: last<string>(''),
  /** Images that came with the task (paths or URLs; files are read when a prompt is built). */
  images: last<TaskImage[]>([]),
  mode: last<RunMode>('run'),
  planId: last<string | undefined>(undefined),
  planVersion: last<number | undefined>(undefined),
  plan: last<Plan | undefined>(undefined),
  approved: last<boolean>(false),
  /**
   * Who approved the plan. Only a person's approval covers the commands the plan names; a plan approved by the
   * policy (CI, auto-approval) leaves each command to the command policy, where `ask` means blocked in CI.
   */
  approvedBy: last<'user' | 'policy' | undefined>(undefined),
  /** Ids of finished steps, in order. */
  completedSteps: last<string[]>([]),
  /** Checkpoint taken before each step, by step id, for `undo`. */
  stepCheckpoints: last<Record<string, string>>({}),
  /** Checkpoint taken before the first step, for undoing the whole run. */
  runCheckpoint: last<string | undefined>(undefined),
  fixAttempts: last<number>(0),
  replans: last<number>(0),
  verification: last<VerificationOutcome | undefined>(undefined),
  deviations: Annotation<Deviation[]>({
    reducer: (previous, next) => [...previous, ...next],
    default: () => [],
  }),
  status: last<RunStatus | undefined>(undefined),
  /** One line saying why the run ended, when it did not succeed. */
  reason: last<string | undefined>(undefined),
});

/** The state of a run. */
export type RunStateValue = typeof RunState.State;
/** A partial update of the state of a run. */
export type RunStateUpdate = typeof RunState.Update;
