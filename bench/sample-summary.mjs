// Summaries of repeated measurements shared by the benches: medians with their range, ratios of interleaved
// pairs, and the machine and its load, so that every printed figure says what it was measured on.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** Median, minimum and maximum of some numbers. */
export function summarize(values) {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1), count: sorted.length };
}

/**
 * The median of some numbers with a distribution-free confidence interval (from the order statistics a sign test
 * gives: no assumption about the shape of the noise). With paired differences this says whether an effect is
 * resolved: an interval that excludes zero (or a target) does.
 */
export function medianInterval(values, confidence = 0.95) {
  const sorted = [...values].sort((left, right) => left - right);
  const count = sorted.length;
  const tail = (1 - confidence) / 2;
  // The largest k with P(Binomial(count, 1/2) < k) <= tail: the interval is [x(k), x(count + 1 - k)].
  let k = 0;
  let cumulative = 0;
  let choose = 1;
  for (let below = 0; below <= count; below++) {
    const probability = choose / 2 ** count;
    if (cumulative + probability > tail) break;
    cumulative += probability;
    k = below + 1;
    choose = (choose * (count - below)) / (below + 1);
  }
  const { median } = summarize(sorted);
  if (k === 0) return { median, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY, count };
  return { median, low: sorted[k - 1], high: sorted[count - k], count };
}

/** `median (min–max)` with a unit, e.g. `1.52 s (1.48–1.61)`. */
export function formatSummary(summary, digits, unit = '') {
  const value = (number) => number.toFixed(digits);
  const range = summary.count > 1 ? ` (${value(summary.min)}–${value(summary.max)})` : '';
  return `${value(summary.median)}${unit}${range}`;
}

/** The one-minute load average now, to print beside a figure measured on a shared machine. */
export function loadNow() {
  return loadavg()[0];
}

/** One line naming the machine: CPU, cores, memory, Node, kernel, and the load when it is printed. */
export function describeMachine() {
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const memory = `${Math.round(totalmem() / 1024 ** 3)} GiB`;
  let system = `Linux ${release()}`;
  try {
    const pretty = /PRETTY_NAME="([^"]+)"/.exec(
      execFileSync('cat', ['/etc/os-release'], { encoding: 'utf8' }),
    );
    if (pretty) system = `${pretty[1]}, ${system}`;
  } catch {
    // Not Linux: the kernel release alone.
  }
  return `${cpus().length} × ${cpu}, ${memory}, Node ${process.version}, ${system}; load ${loadNow().toFixed(1)} now`;
}
