import { posix } from 'node:path';

// What each language writes to depend on another file. Regular expressions are enough here: a missed or extra
// edge only nudges the ranking, and they run on every file, where parsing would cost seconds.
const patterns: Record<string, RegExp[]> = {
  script: [
    /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"\n]+)['"]/g,
    /\bimport\s*\(?\s*['"]([^'"\n]+)['"]/g,
    /\brequire\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
  ],
  python: [/^\s*from\s+(\.*[\w.]*)\s+import\b/gm, /^\s*import\s+([\w.]+)/gm],
  go: [/^\s*(?:import\s+)?(?:[\w.]+\s+)?"([\w./-]+)"\s*$/gm],
  rust: [
    /^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;/gm,
    /^\s*(?:pub\s+)?use\s+((?:crate|super|self)(?:::\w+)+)/gm,
  ],
  java: [/^\s*import\s+(?:static\s+)?([\w.]+)\s*;/gm],
  c: [/^\s*#\s*include\s*"([^"\n]+)"/gm],
};
const familyOf: Record<string, string> = {
  typescript: 'script',
  tsx: 'script',
  javascript: 'script',
  vue: 'script',
  svelte: 'script',
  python: 'python',
  go: 'go',
  rust: 'rust',
  java: 'java',
  c: 'c',
  cpp: 'c',
};

/** The import specifiers a file names, as written (resolved later by {@link createImportResolver}). */
export function extractImports(options: { language: string; text: string }): string[] {
  const family = familyOf[options.language];
  if (!family) return [];
  const found = new Set<string>();
  for (const pattern of patterns[family]!) {
    pattern.lastIndex = 0;
    for (const match of options.text.matchAll(pattern)) if (match[1]) found.add(match[1]);
  }
  return [...found];
}

/** Turns an import specifier into the included files it refers to. */
export type ImportResolver = (options: { from: string; language: string; specifier: string }) => string[];

const scriptExtensions = ['', '.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json'];
const indexFiles = ['/index.ts', '/index.tsx', '/index.js', '/index.mjs', '/src/index.ts', '/src/index.js'];

/**
 * Builds a resolver over the included paths: relative script imports (with NodeNext `.js` → `.ts`), workspace
 * package names (from the included `package.json` files), Python modules, Go package directories, Rust modules,
 * Java classes and C/C++ quoted includes.
 */
export function createImportResolver(options: {
  paths: readonly string[];
  packageNames: ReadonlyMap<string, string>;
}): ImportResolver {
  const paths = new Set(options.paths);
  const bySuffix = new Map<string, string[]>();
  const goFilesByDirectorySuffix = new Map<string, string[]>();
  for (const path of options.paths) {
    if (path.endsWith('.go')) {
      const directorySegments = posix.dirname(path).split('/');
      for (let take = 1; take <= Math.min(3, directorySegments.length); take++) {
        const suffix = directorySegments.slice(-take).join('/');
        const list = goFilesByDirectorySuffix.get(suffix);
        if (list) list.push(path);
        else goFilesByDirectorySuffix.set(suffix, [path]);
      }
    }
    // Index the last two segments, enough for Python, Java and C includes named from a source root.
    const segments = path.split('/');
    for (let take = 1; take <= Math.min(3, segments.length); take++) {
      const suffix = segments.slice(-take).join('/');
      const owners = bySuffix.get(suffix);
      if (owners) {
        if (owners.length < 4) owners.push(path);
      } else bySuffix.set(suffix, [path]);
    }
  }
  const firstExisting = (base: string, candidates: readonly string[]) => {
    for (const candidate of candidates) if (paths.has(base + candidate)) return [base + candidate];
    return [];
  };
  const scriptFile = (base: string) => {
    const stripped = base.replace(/\.(js|jsx|mjs|cjs)$/, '');
    const direct = firstExisting(base, scriptExtensions);
    if (direct.length > 0) return direct;
    const swapped = firstExisting(stripped, scriptExtensions);
    return swapped.length > 0 ? swapped : firstExisting(base, indexFiles);
  };
  const bySuffixOf = (suffix: string) => {
    const owners = bySuffix.get(suffix);
    return owners && owners.length === 1 ? owners : [];
  };
  return ({ from, language, specifier }) => {
    const directory = posix.dirname(from);
    switch (familyOf[language]) {
      case 'script': {
        if (specifier.startsWith('.')) return scriptFile(posix.join(directory, specifier));
        const parts = specifier.split('/');
        const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
        const packageDirectory = options.packageNames.get(name);
        if (packageDirectory === undefined) return [];
        const rest = specifier.slice(name.length);
        const base = packageDirectory === '' ? '.' : packageDirectory;
        return rest ? scriptFile(posix.join(base, rest)) : firstExisting(base, indexFiles);
      }
      case 'python': {
        const dots = /^\.*/.exec(specifier)![0].length;
        const module = specifier.slice(dots).replaceAll('.', '/');
        if (dots > 0) {
          let base = directory;
          for (let level = 1; level < dots; level++) base = posix.dirname(base);
          return firstExisting(posix.join(base, module), ['.py', '/__init__.py']);
        }
        return [...bySuffixOf(`${module}.py`), ...bySuffixOf(`${module}/__init__.py`)];
      }
      case 'go': {
        const segments = specifier.split('/');
        for (let take = Math.min(3, segments.length); take >= 1; take--) {
          const files = goFilesByDirectorySuffix.get(segments.slice(-take).join('/'));
          if (files) return files;
        }
        return [];
      }
      case 'rust': {
        if (!specifier.includes('::'))
          return firstExisting(posix.join(directory, specifier), ['.rs', '/mod.rs']);
        const segments = specifier.split('::').slice(1);
        for (let take = segments.length; take >= 1; take--) {
          const found = bySuffixOf(`${segments.slice(0, take).join('/')}.rs`);
          if (found.length > 0) return found;
        }
        return [];
      }
      case 'java':
        return bySuffixOf(`${specifier.split('.').slice(-3).join('/')}.java`);
      case 'c': {
        const local = posix.join(directory, specifier);
        return paths.has(local) ? [local] : bySuffixOf(specifier.split('/').slice(-3).join('/'));
      }
      default:
        return [];
    }
  };
}
