import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * The path with every link resolved, for the longest part of it that exists (the rest appended as given): where a
 * file is, or would be created, really.
 */
export function realLocation(target: string): string {
  const missing: string[] = [];
  let current = path.resolve(target);
  for (;;) {
    try {
      return path.join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.resolve(target);
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/** Whether `child` is `parent` or lies below it (both absolute and real). */
export function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent === path.sep ? parent : `${parent}${path.sep}`);
}
