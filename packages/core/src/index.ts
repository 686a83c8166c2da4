// Public API of @herd/core. Every export is listed by name; a new export here is new public API.

export type { ConfigTrust, ConfigTrustStatus } from './config/config-trust.js';
export {
  checkConfigTrust,
  configTrustDirectory,
  configTrustNeedsPerson,
  configWeakeningsNeedPerson,
  describeConfigTrust,
  recordConfigTrust,
} from './config/config-trust.js';
export type {
  ConfigSectionJudge,
  ConfigSectionJudges,
  ConfigWeakening,
} from './config/config-weakening.js';
export { describeConfigWeakenings } from './config/config-weakening.js';
export type { ConfigTrustQuestion } from './config/ensure-config-trusted.js';
export { ensureConfigTrusted, unconfirmedConfigError } from './config/ensure-config-trusted.js';
export { findConfigWeakenings } from './config/find-config-weakenings.js';
export { formatConfigIssues } from './config/format-config-issues.js';
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
export type {
  HerdConfigSectionName,
  HerdConfigSectionParser,
  LoadedHerdConfig,
  LoadHerdConfigOptions,
} from './config/load-herd-config.js';
export { configFileName, loadHerdConfig, sandboxPlaceholderTimeMs } from './config/load-herd-config.js';
export { maxConfigDepth, maxConfigFileBytes } from './config/read-config-file.js';
export type { ResolvedHerdRoles } from './config/resolve-herd-roles.js';
export { resolveHerdRoles } from './config/resolve-herd-roles.js';
export type { LlamaGuardOrigin, LlamaGuardResolution } from './config/resolve-llama-guard.js';
export { resolveLlamaGuard } from './config/resolve-llama-guard.js';
export type {
  ModelRoleName,
  ResolvedModelEndpoint,
  ResolvedModelRole,
  ResolveModelRoleOptions,
} from './config/resolve-model-role.js';
export { llamaGuardMaxOutputTokens, resolveModelRole } from './config/resolve-model-role.js';
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
// ---- Events ----
export type {
  GuardClassifierCoverage,
  HerdEvent,
  HerdEventInput,
  HerdEventOf,
  HerdEventType,
  TokenUsage,
} from './events/herd-event.js';
export {
  ApprovalRequestEventSchema,
  ApprovalResolveEventSchema,
  CheckpointCreateEventSchema,
  ContextPackEventSchema,
  ErrorEventSchema,
  EventRoleSchema,
  FileChangeEventSchema,
  GuardClassifierCoverageSchema,
  GuardVerdictEventSchema,
  HerdEventSchema,
  ModelCallEventSchema,
  ModelTextEventSchema,
  PlanApproveEventSchema,
  PlanDeviationEventSchema,
  PlanProposeEventSchema,
  PolicyActionSchema,
  RunFinishEventSchema,
  RunStartEventSchema,
  ScanPointSchema,
  StepFinishEventSchema,
  StepStartEventSchema,
  TokenUsageSchema,
  ToolCallEventSchema,
  ToolResultEventSchema,
  VerificationFinishEventSchema,
  WarningEventSchema,
} from './events/herd-event.js';
export type { FindHostProgramOptions, HostProgram } from './host/find-host-program.js';
export { findHostProgram, HostProgramUnavailableError } from './host/find-host-program.js';
export type { HostLauncherOptions } from './host/host-launcher.js';
export { defaultDirectStarts, HostLauncher } from './host/host-launcher.js';
export type { HostProcessRequest, HostProcessResult } from './host/host-process-outcome.js';
export type { LaunchHostProcessOptions } from './host/launch-host-process.js';
export { launchHostProcess } from './host/launch-host-process.js';
export { isWithin, realLocation } from './host/real-location.js';
export type { ContextLengthRefusal } from './models/context-length-error.js';
export { readContextLengthRefusal } from './models/context-length-error.js';
// ---- Models ----
export type { InvokeWithFallbacksOptions } from './models/invoke-with-fallbacks.js';
export { invokeWithFallbacks } from './models/invoke-with-fallbacks.js';
export { isFallbackWorthy, statusOf } from './models/is-fallback-worthy.js';
export type { LearnedServedWindow, LearnServedWindowOptions } from './models/learn-served-window.js';
export { learnServedWindow } from './models/learn-served-window.js';
export { maxTokensCallOption, maxTokensFor } from './models/max-tokens-call-option.js';
export type { ModelEndpointDescription } from './models/model-endpoint-of.js';
export { modelEndpointOf } from './models/model-endpoint-of.js';
export type { ProbeServedWindowOptions, ServedWindowProbe } from './models/probe-served-window.js';
export { forgetServedWindows, probeServedWindow } from './models/probe-served-window.js';
export type { ReplyTokenBudgetOptions } from './models/reply-token-budget.js';
export { replyTokenBudget, tokenizerMargin } from './models/reply-token-budget.js';
export type { RequestTokenCounter } from './models/request-token-counter.js';
export { createRequestTokenCounter, maxRunCharacters } from './models/request-token-counter.js';
// ---- Plans ----
export type { Plan, PlanCommand, PlanFile, PlanStep } from './plan/plan.js';
export { PlanCommandSchema, PlanFileSchema, PlanSchema, PlanStepSchema } from './plan/plan.js';
// ---- Providers ----
export type {
  ProviderOverride,
  ProviderPreset,
  ServedLimits,
  ServedWindowSource,
  StructuredOutput,
  ToolCalling,
} from './providers/provider-preset.js';
export {
  ProviderOverrideSchema,
  ProviderPresetSchema,
  ServedLimitsSchema,
  ServedWindowSourceSchema,
  StructuredOutputSchema,
  ToolCallingSchema,
} from './providers/provider-preset.js';
export type { ProviderPresetName } from './providers/provider-presets.js';
export { providerPresetNames, providerPresets } from './providers/provider-presets.js';
export type { ResolvedProvider } from './providers/resolve-provider.js';
export { detectProvider, noProviderMessage, resolveProvider } from './providers/resolve-provider.js';
// ---- Secrets ----
export type { EnvironmentSecret } from './secrets/environment-secrets.js';
export { environmentSecrets } from './secrets/environment-secrets.js';
export { findUrlCredentials, urlCredentialDetector } from './secrets/find-url-credentials.js';
export { redactError } from './secrets/redact-error.js';
export { redactSpans } from './secrets/redact-spans.js';
export { createRedactingFetch } from './secrets/redacting-fetch.js';
export type { SecretDetectionOptions, SecretDetector, SecretSpan } from './secrets/secret-detector.js';
export { emptySecretDetector } from './secrets/secret-detector.js';
export type { SecretRedactor, SecretRedactorOptions } from './secrets/secret-redactor.js';
export { createSecretRedactor } from './secrets/secret-redactor.js';
export { herdStateDirectory, localCacheSecret } from './state/local-cache-secret.js';
export { formatCommandLine } from './text/format-command-line.js';
export { visibleText } from './text/visible-text.js';
export { countO200kTokens } from './tokens/count-o200k-tokens.js';
export { estimateO200kTokens } from './tokens/estimate-o200k-tokens.js';
// ---- Tokens ----
// The exact counter's sources and the rank file's path are exported for the engine's counting workers, which run
// them from source; the shared table is the one every exact counter in a process uses.
export { fastCounterSource } from './tokens/fast-o200k-counter.js';
export type { O200kRankTable } from './tokens/o200k-piece-counter.js';
export {
  o200kPieceCounterSource,
  o200kRankListPath,
  o200kSourceNames,
} from './tokens/o200k-piece-counter.js';
export type { O200kTokenCounterOptions } from './tokens/o200k-token-counter.js';
export { createO200kTokenCounter } from './tokens/o200k-token-counter.js';
export { settledO200kRankTable, warmUpO200kRankTable } from './tokens/shared-o200k-rank-table.js';
export type { TokenCounter, TokenCountMode } from './tokens/token-counter.js';
