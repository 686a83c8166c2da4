import type { TerminalColors } from './terminal-colors.js';

/**
 * Colours a unified diff as git does: file headers bold, hunk headers cyan, added lines green, removed lines red.
 * The text is unchanged; with colour off the diff comes back as it was.
 */
export function colorizeDiff(diff: string, colors: TerminalColors): string {
  return diff
    .split('\n')
    .map((line) => {
      if (
        line.startsWith('+++') ||
        line.startsWith('---') ||
        line.startsWith('Index:') ||
        line.startsWith('===')
      )
        return colors.bold(line);
      if (line.startsWith('@@')) return colors.cyan(line);
      if (line.startsWith('+')) return colors.green(line);
      if (line.startsWith('-')) return colors.red(line);
      return line;
    })
    .join('\n');
}
