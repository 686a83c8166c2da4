import { realpathSync, type Stats, statSync } from 'node:fs';

/** What the sandbox's mount planning asks of a host path. */
export const hostPath = {
  /** Whether `child` is `parent` or lies below it (both absolute). */
  isInside(child: string, parent: string): boolean {
    return child === parent || child.startsWith(parent === '/' ? '/' : `${parent}/`);
  },
  /** The path's stats, following links; `undefined` when it does not exist or cannot be looked at. */
  statOf(target: string): Stats | undefined {
    try {
      return statSync(target);
    } catch {
      return undefined;
    }
  },
  /** The path with every link resolved, or the path itself when it cannot be resolved. */
  realOf(target: string): string {
    try {
      return realpathSync(target);
    } catch {
      return target;
    }
  },
};
