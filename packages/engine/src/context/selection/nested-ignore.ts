import ignore, { type Ignore } from 'ignore';

/** gitignore-style rules that apply below the directories that declared them. */
export interface NestedIgnore {
  /** Adds rules declared by an ignore file in `directory` ('' for the root). */
  add(options: { directory: string; rules: string }): void;
  /** Whether `path` (relative to the root, `/`-separated) is ignored by the rules of any enclosing directory. */
  ignores(options: { path: string; directory?: boolean }): boolean;
}

/** Creates an empty {@link NestedIgnore}. */
export function createNestedIgnore(): NestedIgnore {
  const rulesByDirectory = new Map<string, Ignore>();
  return {
    add({ directory, rules }) {
      const existing = rulesByDirectory.get(directory);
      if (existing) existing.add(rules);
      else rulesByDirectory.set(directory, ignore({ allowRelativePaths: true }).add(rules));
    },
    ignores({ path, directory = false }) {
      if (rulesByDirectory.size === 0) return false;
      const suffix = directory ? '/' : '';
      let slash = -1;
      // Check the root's rules, then each enclosing directory's, against the path relative to it.
      do {
        const owner = slash === -1 ? '' : path.slice(0, slash);
        const rules = rulesByDirectory.get(owner);
        if (rules?.ignores(path.slice(slash + 1) + suffix)) return true;
        slash = path.indexOf('/', slash + 1);
      } while (slash !== -1);
      return false;
    },
  };
}
