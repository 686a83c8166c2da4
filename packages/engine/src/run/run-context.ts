import type { HerdEventInput, ResolvedHerdRoles, ScanPointSchema } from '@herd/core';
import type { AgentGuard } from '@herd/guard';
import type { WorkspaceTools } from '@herd/tools';
import type { z } from 'zod';
import type { ApprovalMemory } from '../approvals/approval-request.js';
import type { ContentScanner } from '../context/content-scanner.js';
import type { PlanStore } from '../planner/plan-store.js';
import type { ChatModel } from '../planner/request-plan.js';
import type { RunSettings } from '../settings/run-settings.js';
import type { UsageMeter } from './usage-meter.js';

/** Where content is checked by the guard. */
export type ScanPoint = z.infer<typeof ScanPointSchema>;

/** The guard as the run sees it: checks at the scan points, a repository scanner, and the guard inside agents. */
export interface RunGuard {
  /**
   * Checks text at a scan point. `block` stops the run; `ask` needs a person; `redact` returns the text with the
   * offending parts replaced.
   */
  check(input: {
    point: ScanPoint;
    text: string;
    /** Images that come with a user turn (URLs or `data:` URLs), for Llama Guard 4. */
    images?: readonly string[];
  }): Promise<{ action: 'allow' | 'warn' | 'ask' | 'block' | 'redact'; text: string; reason?: string }>;
  /** Scans repository files at the `repo_content` point while packing. */
  contentScanner?: ContentScanner;
  /** Identifies the scanner's configuration, so a pack of an unchanged repository can be reused whole. */
  contentScannerKey?: string;
  /**
   * Guards model inputs, outputs, tool calls and tool outputs inside agents (one for the whole run: it remembers
   * the tool outputs it judged).
   */
  agent: AgentGuard;
  /** Releases streamed model text only after the guard has scanned the window holding it (`model_output`). */
  stream(source: AsyncIterable<string>): AsyncIterable<string>;
  /** Every block so far, in order: a step compares the count before and after to know whether it was blocked. */
  readonly blocks: ReadonlyArray<{ point: ScanPoint; reason: string }>;
}

/**
 * Everything a run's graph nodes need besides its persisted state. Rebuilt on resume; never persisted, so it may
 * hold models, open stores and functions.
 */
export interface RunContext {
  sessionId: string;
  workspace: string;
  roles: ResolvedHerdRoles;
  plannerModels: readonly ChatModel[];
  actorModels: readonly ChatModel[];
  tools: WorkspaceTools;
  plans: PlanStore;
  settings: RunSettings;
  guard: RunGuard;
  meter: UsageMeter;
  /** Whether a person can answer approval requests (false in CI and for unattended runs). */
  interactive: boolean;
  /** Approve plans without asking (CI, or a library caller that says so). */
  autoApprovePlan: boolean;
  memory: ApprovalMemory;
  emit: (event: HerdEventInput) => void;
  /** Steps already announced with `step-start` on this run's event stream, as `<re-plans>:<step id>`. */
  announcedSteps: Set<string>;
  /** Records a finished step on the session, so `herd sessions` shows progress even after a crash. */
  recordStep: (stepId: string) => Promise<void>;
  signal?: AbortSignal;
}
