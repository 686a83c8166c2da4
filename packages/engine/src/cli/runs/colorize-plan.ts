import type { TerminalColors } from './terminal-colors.js';

/**
 * Colours a plan rendered as Markdown for the terminal: headings bold (step headings also cyan), `code` (paths,
 * commands, step ids) cyan. The text is unchanged; with colour off the plan comes back as it was.
 */
export function colorizePlan(markdown: string, colors: TerminalColors): string {
  return markdown
    .split('\n')
    .map((line) => {
      if (line.startsWith('### ')) return colors.bold(colors.cyan(line));
      if (line.startsWith('#')) return colors.bold(line);
      return line.replace(/`[^`\n]+`/g, (code) => colors.cyan(code));
    })
    .join('\n');
}
