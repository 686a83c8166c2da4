import { resolve } from 'node:path';
import type * as acp from '@agentclientprotocol/sdk';

/** How a tool call is shown in the editor: a title, an icon kind, and the files it touches. */
export interface ToolCallPresentation {
  title: string;
  kind: acp.ToolKind;
  locations: acp.ToolCallLocation[];
}

const kinds: Record<string, acp.ToolKind> = {
  read_file: 'read',
  list_files: 'read',
  git_status: 'read',
  git_diff: 'read',
  glob: 'search',
  search: 'search',
  edit_file: 'edit',
  write_file: 'edit',
  delete_file: 'delete',
  move_file: 'move',
  run_command: 'execute',
  fetch_url: 'fetch',
};

/** Presents a Herd tool call (by the built-in tool names; other tools are shown by name as `other`). */
export function presentToolCall(options: {
  workspace: string;
  name: string;
  arguments: Record<string, unknown>;
}): ToolCallPresentation {
  const { name } = options;
  const args = options.arguments;
  const path = typeof args.path === 'string' ? args.path : undefined;
  // The arguments are the model's, unchecked; an ACP line is a 1-based uint32, so anything else is left out.
  const line =
    typeof args.startLine === 'number' &&
    Number.isInteger(args.startLine) &&
    args.startLine >= 1 &&
    args.startLine <= 0xffff_ffff
      ? args.startLine
      : undefined;
  const locations = path
    ? [{ path: resolve(options.workspace, path), ...(line !== undefined ? { line } : {}) }]
    : [];
  const argv = Array.isArray(args.argv) ? args.argv.map(String).join(' ') : undefined;
  const query =
    typeof args.query === 'string' ? args.query : typeof args.pattern === 'string' ? args.pattern : undefined;
  const titles: Record<string, string | undefined> = {
    read_file: path && `Read ${path}`,
    list_files: `List ${path ?? 'files'}`,
    edit_file: path && `Edit ${path}`,
    write_file: path && `Write ${path}`,
    delete_file: path && `Delete ${path}`,
    run_command: argv && `Run \`${argv}\``,
    search: query && `Search for ${query}`,
    glob: query && `Find files matching ${query}`,
    fetch_url: typeof args.url === 'string' ? `Fetch ${args.url}` : undefined,
    git_status: 'Git status',
    git_diff: 'Git diff',
  };
  return { title: titles[name] ?? name, kind: kinds[name] ?? 'other', locations };
}
