/** The variables with which LangChain traces every run to LangSmith (any of them set to `true` switches it on). */
export const langSmithTracingVariables = [
  'LANGSMITH_TRACING_V2',
  'LANGCHAIN_TRACING_V2',
  'LANGSMITH_TRACING',
  'LANGCHAIN_TRACING',
] as const;

/**
 * Switches LangChain's tracing to LangSmith off for this process, and returns the variables that had switched it
 * on. With `LANGSMITH_TRACING=true` in the environment (set in many a LangChain developer's shell), LangChain posts
 * every model call's messages and reply to LangSmith from inside the call: the packed repository, tool results, a
 * key a model echoed. That is an egress point no redactor sees, so a Herd process does not trace.
 *
 * @example
 * ```ts
 * const unset = switchOffLangSmithTracing();
 * if (unset.length > 0) process.stderr.write(`herd: LangSmith tracing is off (${unset.join(', ')})\n`);
 * ```
 */
export function switchOffLangSmithTracing(env: NodeJS.ProcessEnv = process.env): string[] {
  const unset = langSmithTracingVariables.filter((name) => env[name] === 'true');
  for (const name of langSmithTracingVariables) delete env[name];
  return unset;
}
