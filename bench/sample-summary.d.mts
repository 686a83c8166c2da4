/** Types of sample-summary.mjs, for the TypeScript benches. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  count: number;
}
export interface MedianInterval {
  median: number;
  low: number;
  high: number;
  count: number;
}
export function summarize(values: readonly number[]): Summary;
export function medianInterval(values: readonly number[], confidence?: number): MedianInterval;
export function formatSummary(summary: Summary, digits: number, unit?: string): string;
export function loadNow(): number;
export function describeMachine(): string;
