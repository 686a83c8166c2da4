import type { PackStats } from './pack-stats.js';

/** A packed repository. */
export interface PackResult {
  /** The packed document, ready to go into the planner's prompt. */
  document: string;
  /** What was included, left out, cut and redacted, and the token counts. */
  stats: PackStats;
}
