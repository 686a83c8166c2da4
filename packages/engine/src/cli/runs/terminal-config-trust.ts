import { createInterface } from 'node:readline/promises';
import { type ConfigTrust, type ConfigTrustQuestion, describeConfigTrust } from '@herd/core';

/**
 * How a command started at a terminal treats a configuration that changed since a person last ran Herd with it, or
 * that weakens Herd with no person having accepted it: asked on the terminal when both ends are a TTY (no answer, or
 * Ctrl-C, is no), refused otherwise; the refusal names the file, what it weakens, and `herd config trust`.
 */
export function terminalConfigTrust(
  options: { input?: NodeJS.ReadStream; output?: NodeJS.WriteStream } = {},
): 'refuse' | { ask: ConfigTrustQuestion } {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (!input.isTTY || !output.isTTY) return 'refuse';
  return {
    ask: async (trust: ConfigTrust): Promise<boolean> => {
      output.write(
        `herd: ${describeConfigTrust(trust)}.\n  Review it before you answer (for example \`git diff -- ${trust.file}\`).\n`,
      );
      const readline = createInterface({ input, output });
      try {
        const answer = await readline.question('Use this configuration and remember it? [y/N]: ');
        return /^(y|yes)$/i.test(answer.trim());
      } catch (error) {
        if ((error as Error).name === 'AbortError') return false;
        throw error;
      } finally {
        readline.close();
      }
    },
  };
}
