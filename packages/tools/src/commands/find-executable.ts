import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

const found = new Map<string, Promise<string | undefined>>();

/** The absolute path of a program on PATH, or undefined when it is not installed. Cached per name. */
export function findExecutable(name: string): Promise<string | undefined> {
  let result = found.get(name);
  if (!result) {
    result = (async () => {
      for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
        if (!directory) continue;
        const candidate = path.join(directory, name);
        try {
          await access(candidate, constants.X_OK);
          return candidate;
        } catch {}
      }
      return undefined;
    })();
    found.set(name, result);
  }
  return result;
}
