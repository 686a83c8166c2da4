import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** A token no other process has in its command line: put it in a command, then find its processes by it. */
export const uniqueToken = (): string => `herdtoken${randomBytes(6).toString('hex')}`;

/** A sleep duration no other process has in its command line (GNU sleep takes `1000.123`), found again by it. */
export const uniqueSleep = (): string =>
  `1000.${[...randomBytes(9)].map((byte) => String(byte % 10)).join('')}${Date.now() % 1_000_000}`;

/**
 * The host's processes, as seen from outside any namespace, whose command line contains `needle`; a zombie (ended,
 * waiting to be reaped) does not count.
 */
export function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const status = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (commandLine.includes(needle) && !/^\d+ \(.*\) [ZX]/s.test(status)) found.push(Number(entry));
    } catch {}
  }
  return found;
}
