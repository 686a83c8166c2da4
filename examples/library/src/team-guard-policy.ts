/**
 * A custom guard policy, laid over the `balanced` preset: a pattern for the team's internal host names is added to
 * the default injection patterns, and content that names one is blocked in tool output and model output, so the
 * model neither reads nor writes internal addresses. Any `herd.config.json` `policy` works the same way.
 */
export const teamGuardPolicy = {
  extends: 'balanced',
  name: 'team',
  patterns: [
    {
      name: 'ignore_instructions',
      pattern: String.raw`\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier)?\s*(instructions|prompts?|rules)\b`,
    },
    { name: 'internal_host', pattern: String.raw`\b[a-z0-9-]+\.corp\.example\.internal\b` },
  ],
  points: {
    tool_output: { scanners: { patterns: { action: 'block' } } },
    model_output: { scanners: { patterns: { action: 'block' } } },
  },
} as const;
