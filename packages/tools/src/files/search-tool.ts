import { findHostProgram, HostProgramUnavailableError } from '@herd/core';
import { z } from 'zod';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { compileSearchPattern } from './linear-pattern.js';
import { missingPathError } from './missing-path-error.js';
import { searchWithRipgrep } from './search-with-ripgrep.js';
import { searchWithWalker } from './search-with-walker.js';
import { showPath } from './show-path.js';

/** The search query, validated. */
export const SearchInputSchema = z.object({
  pattern: z
    .string()
    .min(1)
    .describe(
      'Regular expression in ripgrep (RE2) syntax: no lookaround or backreferences. Literal text when literal is true.',
    ),
  literal: z.boolean().default(false).describe('Treat pattern as plain text. Default false.'),
  path: z
    .string()
    .default('.')
    .describe('File or directory to search, relative to the workspace root. Default ".".'),
  glob: z.string().optional().describe('Only search files whose path matches this glob, e.g. "**/*.ts".'),
  caseSensitive: z.boolean().default(true).describe('Default true.'),
  maxResults: z
    .number()
    .int()
    .min(1)
    .max(2000)
    .default(100)
    .describe('Most matching lines returned. Default 100.'),
});

/** A search query after validation. */
export type SearchQuery = z.output<typeof SearchInputSchema>;

/** One matching line. */
export interface SearchMatch {
  /** Workspace-relative path. */
  path: string;
  /** 1-based line number. */
  line: number;
  /** The line, cut to 300 characters. */
  text: string;
}

/** What a search engine found. */
export interface SearchOutcome {
  matches: SearchMatch[];
  /** True when more matches existed than were returned. */
  truncated: boolean;
}

/** Options for {@link createSearchTool}. */
export interface SearchToolOptions {
  /** The workspace jail. */
  jail: WorkspaceJail;
  /**
   * `auto` uses ripgrep when installed outside the workspace; `walker` always uses the pure JavaScript search.
   * Default `auto`.
   */
  engine?: 'auto' | 'ripgrep' | 'walker';
}

/**
 * ripgrep runs on the host, outside any sandbox, so it is never a file a model could have written: an `rg` in the
 * workspace (`node_modules/.bin`, a virtualenv's `bin`) or on a relative `PATH` entry is passed over (see
 * {@link findHostProgram}). Herd takes no ripgrep from npm (`@vscode/ripgrep` keeps its binary in
 * `node_modules/@vscode/ripgrep/bin`, inside the workspace when installed there). Undefined when there is no other;
 * the pure walker searches then.
 */
async function findRipgrep(workspace: string): Promise<string | undefined> {
  try {
    return (await findHostProgram('rg', { workspace })).executable;
  } catch (error) {
    if (error instanceof HostProgramUnavailableError) return undefined;
    throw error;
  }
}

/**
 * Creates `search`: regex or literal search across the workspace, backed by ripgrep when it is installed and by a
 * pure JavaScript walk otherwise, which matches patterns and globs with RE2 (re2js) so that no pattern can hold the
 * event loop. Both honor `.gitignore`, `.herdignore` and the jail's deny globs, never leave the workspace while
 * folders are swapped, and return capped `path:line: text` results.
 */
export function createSearchTool(options: SearchToolOptions) {
  const { jail, engine = 'auto' } = options;
  return defineTool({
    name: 'search',
    description:
      'Search file contents in the workspace with a regular expression (or literal text). Returns "path:line: text" for each match.',
    input: SearchInputSchema,
    access: 'read',
    examples: [{ pattern: 'createServer\\(', glob: '**/*.ts' }],
    async run(query, { signal }) {
      const resolved = await jail.resolve({ path: query.path, intent: 'read' });
      if (!resolved.exists) throw missingPathError(query.path);
      // Both engines take the pattern RE2 reads (the syntax the description promises), checked once here: a
      // pattern one engine ran and the other refused made results depend on whether rg is installed.
      compileSearchPattern(query);
      const ripgrep = engine === 'walker' ? undefined : await findRipgrep(jail.root);
      const outcome = ripgrep
        ? await searchWithRipgrep({ ripgrep, jail, query, start: resolved.absolute, signal })
        : await searchWithWalker({ jail, query, start: resolved.absolute, signal });
      const lines = outcome.matches.map((match) => `${showPath(match.path)}:${match.line}: ${match.text}`);
      const note = outcome.truncated
        ? `\n[stopped at ${query.maxResults} matches; narrow the pattern, path or glob]`
        : '';
      return {
        content: lines.length > 0 ? `${lines.join('\n')}${note}` : `No match for '${query.pattern}'.`,
        data: { ...outcome, engine: ripgrep ? 'ripgrep' : 'walker' },
      };
    },
  });
}
