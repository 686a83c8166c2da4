import { ConfigError } from '@herd/core';
import { type ToolsConfig, ToolsConfigSchema } from './tools-config.js';

/**
 * Parses the `tools` section of a Herd configuration, applying defaults.
 *
 * @param input - The raw section (`HerdConfig.tools`); `undefined` gives every default.
 * @param source - Where the section came from, for the error message.
 * @throws ConfigError listing every invalid value with its path under `tools`.
 */
export function parseToolsConfig(input: unknown, source = 'herd.config.json'): ToolsConfig {
  const parsed = ToolsConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: ['tools', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  throw new ConfigError({
    source,
    issues,
    message: `The tools section of ${source} is invalid at ${first?.path ?? 'tools'}: ${first?.message ?? 'unknown problem'}.`,
    hint: 'Fix the listed values; see the @herd/tools README for every setting and its default.',
  });
}
