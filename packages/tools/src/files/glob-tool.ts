import { z } from 'zod';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { compileGlob } from './linear-pattern.js';
import { missingPathError } from './missing-path-error.js';
import { showPath } from './show-path.js';
import { walkWorkspace } from './workspace-walker.js';

const GlobInputSchema = z.object({
  pattern: z
    .string()
    .min(1)
    .describe('Glob relative to the workspace root, e.g. "src/**/*.ts" or "**/README.md".'),
  path: z.string().default('.').describe('Directory to search under. Default ".".'),
  limit: z.number().int().min(1).max(5000).default(500).describe('Most paths returned. Default 500.'),
});

/**
 * Creates `glob`: finds files whose workspace-relative path matches a glob (matched in linear time), honoring
 * ignore files and the jail. Names with line breaks or other control characters are shown as JSON strings.
 */
export function createGlobTool(options: { jail: WorkspaceJail }) {
  const { jail } = options;
  return defineTool({
    name: 'glob',
    description:
      'Find files by glob pattern (e.g. "src/**/*.test.ts"), relative to the workspace root. Ignored files are left out.',
    input: GlobInputSchema,
    access: 'read',
    examples: [{ pattern: '**/*.ts' }],
    async run({ pattern, path: directory, limit }, { signal }) {
      const resolved = await jail.resolve({ path: directory, intent: 'read' });
      if (!resolved.exists) throw missingPathError(directory);
      const matches = compileGlob(pattern.replace(/^\.\//, ''));
      const paths: string[] = [];
      let more = false;
      for await (const entry of walkWorkspace({ jail, start: resolved.absolute, signal })) {
        if (entry.kind === 'directory' || !matches(entry.relative)) continue;
        if (paths.length >= limit) {
          more = true;
          break;
        }
        paths.push(entry.relative);
      }
      const note = more ? `\n[stopped at ${limit} paths; narrow the pattern]` : '';
      return {
        content:
          paths.length > 0 ? `${paths.map(showPath).join('\n')}${note}` : `No file matches '${pattern}'.`,
        data: { pattern, paths, truncated: more },
      };
    },
  });
}
