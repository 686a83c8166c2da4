import { ConfigError, formatConfigIssues } from '@herd/core';
import { type ToolsConfig, ToolsConfigSchema } from './tools-config.js';

/**
 * Parses the `tools` section of a Herd configuration, applying defaults.
 *
 * @param input - The raw section (`HerdConfig.tools`); `undefined` gives every default.
 * @param source - The configuration file the section came from, named in the error message when given.
 * @throws ConfigError `config_invalid` naming every invalid value with its path under `tools`, the value and the fix.
 */
export function parseToolsConfig(input: unknown, source?: string): ToolsConfig {
  const parsed = ToolsConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = formatConfigIssues({ error: parsed.error, input: input ?? {}, prefix: 'tools' });
  throw new ConfigError({
    source: source ?? 'configuration',
    issues,
    message: `The tools section of ${source ?? 'the configuration'} is invalid: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}.`,
    hint: 'The Configuration section of the @herd/tools README lists every setting and its default.',
  });
}
