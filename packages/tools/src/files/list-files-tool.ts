import { stat } from 'node:fs/promises';
import { UserError } from '@herd/core';
import { z } from 'zod';
import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { defineTool } from '../tool/define-tool.js';
import { missingPathError } from './missing-path-error.js';
import { showPath } from './show-path.js';
import { walkWorkspace } from './workspace-walker.js';

const ListFilesInputSchema = z.object({
  path: z.string().default('.').describe('Directory relative to the workspace root. Default ".".'),
  recursive: z.boolean().default(false).describe('List subdirectories too. Default false.'),
  limit: z.number().int().min(1).max(5000).default(500).describe('Most entries returned. Default 500.'),
});

/**
 * Creates `list_files`: lists a directory (optionally recursively), honoring `.gitignore` and `.herdignore`,
 * skipping `.git`, `.herd` and denied paths. Directories end with `/`, symlinks with `@`; names with line breaks or
 * other control characters are shown as JSON strings (`data.entries` keeps them as they are).
 */
export function createListFilesTool(options: { jail: WorkspaceJail }) {
  const { jail } = options;
  return defineTool({
    name: 'list_files',
    description:
      'List files in a workspace directory (ignored files are left out). Directories end with "/", symlinks with "@". Set recursive to walk subdirectories.',
    input: ListFilesInputSchema,
    access: 'read',
    examples: [{ path: '.', recursive: false }],
    async run({ path: directory, recursive, limit }, { signal }) {
      const resolved = await jail.resolve({ path: directory, intent: 'read' });
      if (!resolved.exists) throw missingPathError(directory);
      const stats = await stat(resolved.absolute);
      if (!stats.isDirectory()) {
        throw new UserError({
          code: 'not_a_directory',
          message: `'${directory}' is a file, not a directory; call read_file to read it.`,
        });
      }
      const entries: string[] = [];
      const shown: string[] = [];
      let more = false;
      for await (const entry of walkWorkspace({ jail, start: resolved.absolute, recursive, signal })) {
        if (entries.length >= limit) {
          more = true;
          break;
        }
        const suffix = entry.kind === 'directory' ? '/' : entry.kind === 'symlink' ? '@' : '';
        entries.push(`${entry.relative}${suffix}`);
        shown.push(`${showPath(entry.relative)}${suffix}`);
      }
      const note = more ? `\n[stopped at ${limit} entries; list a subdirectory or raise limit]` : '';
      return {
        content:
          shown.length > 0
            ? `${shown.join('\n')}${note}`
            : `'${showPath(resolved.relative)}' is empty (or everything in it is ignored).`,
        data: { path: resolved.relative, entries, truncated: more },
      };
    },
  });
}
