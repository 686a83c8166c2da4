import type { GuardPolicyInput } from './guard-policy.js';

/** The names of the shipped presets. */
export type GuardPolicyPresetName = 'strict' | 'balanced' | 'off';

const promptGuard = (action: 'warn' | 'ask' | 'block', threshold = 0.9) => ({ action, threshold });

/**
 * The shipped policies. See the package README for the reasoning behind each.
 * - `off`: nothing is scanned; everything passes. For trusted, offline experiments only.
 * - `balanced` (default): hidden text blocks where it can steer the agent, secrets are redacted before a model sees
 *   them, Prompt Guard (≥ 0.9) asks a person about repository content and tool output, Llama Guard blocks an unsafe
 *   task (with its images), model output and tool calls. Classifiers are used when configured and skipped (with a note) when not.
 * - `strict`: everything `balanced` does, with Prompt Guard at 0.5 blocking, patterns asking, and Prompt Guard
 *   required: without a configured model the guard refuses to start.
 */
export const guardPolicyPresets: Record<GuardPolicyPresetName, GuardPolicyInput> = {
  off: { name: 'off', points: {} },
  balanced: {
    name: 'balanced',
    points: {
      user_input: {
        scanners: {
          hidden_text: { action: 'warn' },
          secrets: { action: 'warn' },
          prompt_guard: promptGuard('warn'),
          // The task (with its images) is one call per run: Llama Guard 4 judges it as a user turn.
          llama_guard: { action: 'block' },
        },
      },
      repo_content: {
        scanners: {
          hidden_text: { action: 'ask' },
          secrets: { action: 'redact' },
          patterns: { action: 'warn' },
          prompt_guard: promptGuard('ask'),
        },
      },
      tool_output: {
        scanners: {
          hidden_text: { action: 'block' },
          secrets: { action: 'redact' },
          patterns: { action: 'warn' },
          prompt_guard: promptGuard('ask'),
        },
      },
      model_output: {
        scanners: {
          hidden_text: { action: 'warn' },
          secrets: { action: 'redact' },
          llama_guard: { action: 'block' },
        },
      },
      tool_call: {
        scanners: {
          hidden_text: { action: 'block' },
          secrets: { action: 'ask' },
          llama_guard: { action: 'block' },
        },
      },
    },
  },
  strict: {
    name: 'strict',
    require: ['prompt_guard'],
    points: {
      user_input: {
        scanners: {
          hidden_text: { action: 'ask' },
          secrets: { action: 'redact' },
          prompt_guard: promptGuard('ask', 0.5),
          llama_guard: { action: 'block' },
        },
      },
      repo_content: {
        scanners: {
          hidden_text: { action: 'block' },
          secrets: { action: 'redact' },
          patterns: { action: 'ask' },
          prompt_guard: promptGuard('block', 0.5),
        },
      },
      tool_output: {
        scanners: {
          hidden_text: { action: 'block' },
          secrets: { action: 'redact' },
          patterns: { action: 'ask' },
          prompt_guard: promptGuard('block', 0.5),
        },
      },
      model_output: {
        scanners: {
          hidden_text: { action: 'block' },
          secrets: { action: 'redact' },
          llama_guard: { action: 'block' },
        },
      },
      tool_call: {
        scanners: {
          hidden_text: { action: 'block' },
          secrets: { action: 'block' },
          patterns: { action: 'ask' },
          llama_guard: { action: 'block' },
        },
      },
    },
  },
};
