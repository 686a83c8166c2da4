import type { HerdConfig } from '../config/herd-config.js';
import type { StructuredOutput, ToolCalling } from '../providers/provider-preset.js';

/** Options for {@link createTestConfig}. */
export interface CreateTestConfigOptions {
  /** Base URL of a local OpenAI-compatible server, e.g. a scripted test server. */
  baseUrl: string;
  /** How the server returns tool calls; default `native`. */
  toolCalling?: ToolCalling;
  /** How the server returns JSON of a given shape; default `json_schema`. */
  structuredOutput?: StructuredOutput;
  /** Served context window for every role; default 131,072. */
  contextWindow?: number;
  /** Retries per call; default 0 so tests see faults at once. */
  retries?: number;
  /** Call timeout in milliseconds; default 10,000. */
  timeoutMs?: number;
  /** Whether the server takes image parts; default false. */
  images?: boolean;
  /** The repository's test command (`run.testCommand`), which verification may run without asking. */
  testCommand?: string[];
}

/** Model ids the test configuration uses for each role. */
export const testModels = {
  planner: 'test-scout',
  actor: 'test-maverick',
  llamaGuard: 'test-llama-guard',
} as const;

/**
 * A configuration whose every role talks to one local OpenAI-compatible server without a key: handy for testing
 * code built on Herd against a scripted server.
 */
export function createTestConfig(options: CreateTestConfigOptions): HerdConfig {
  const window = options.contextWindow ?? 131_072;
  const call = { retries: options.retries ?? 0, timeoutMs: options.timeoutMs ?? 10_000 };
  return {
    provider: 'scripted',
    providers: {
      scripted: {
        extends: 'openai-compatible',
        baseUrl: options.baseUrl,
        toolCalling: options.toolCalling ?? 'native',
        structuredOutput: options.structuredOutput ?? 'json_schema',
        images: options.images ?? false,
        limits: { default: { contextWindow: window, maxOutputTokens: 4_096 } },
      },
    },
    roles: {
      planner: { model: testModels.planner, ...call },
      actor: { model: testModels.actor, ...call },
      guard: { llamaGuard: { model: testModels.llamaGuard, ...call } },
    },
    ...(options.testCommand ? { run: { testCommand: options.testCommand } } : {}),
  };
}
