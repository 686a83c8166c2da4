// Public API of @herd/core. Every export is listed by name; a new export here is new public API.

// ---- Errors ----
export type { ConfigErrorOptions, ConfigIssue } from './errors/config-error.js';
export { ConfigError } from './errors/config-error.js';
export type { GuardErrorOptions } from './errors/guard-error.js';
export { GuardError } from './errors/guard-error.js';
export type { ErrorBlame, HerdErrorOptions } from './errors/herd-error.js';
export { HerdError } from './errors/herd-error.js';
export type { ModelBehaviorErrorOptions } from './errors/model-behavior-error.js';
export { ModelBehaviorError } from './errors/model-behavior-error.js';
export type { ProviderErrorOptions } from './errors/provider-error.js';
export { ProviderError } from './errors/provider-error.js';
export { SystemError } from './errors/system-error.js';
export { UserError } from './errors/user-error.js';

// ---- Configuration ----
export type {
  FallbackConfig,
  HerdConfig,
  HerdConfigInput,
  LlamaGuardConfig,
  ModelRoleConfig,
  PromptGuardConfig,
} from './config/herd-config.js';
export {
  FallbackConfigSchema,
  GuardRolesConfigSchema,
  HerdConfigSchema,
  LlamaGuardConfigSchema,
  ModelRoleConfigSchema,
  PromptGuardConfigSchema,
} from './config/herd-config.js';

// ---- Providers ----
export type { ProviderOverride, ProviderPreset, ServedLimits, ToolCalling } from './providers/provider-preset.js';
export {
  ProviderOverrideSchema,
  ProviderPresetSchema,
  ServedLimitsSchema,
  ToolCallingSchema,
} from './providers/provider-preset.js';
export type { ProviderPresetName } from './providers/provider-presets.js';
export { providerPresetNames, providerPresets } from './providers/provider-presets.js';

// ---- Tokens ----
export type { O200kTokenCounterOptions } from './tokens/o200k-token-counter.js';
export { createO200kTokenCounter, estimateO200kTokens } from './tokens/o200k-token-counter.js';
export type { TokenCounter, TokenCountMode } from './tokens/token-counter.js';
