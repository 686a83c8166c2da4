// Public API of @herd/guard. Every export is listed by name; a new export here is new public API.

// ---- Audit log and cache ----
export type { AuditLog, AuditLogContents, ReadAuditLogOptions } from './audit/audit-log.js';
export { createAuditLog, readAuditLog } from './audit/audit-log.js';
export type { AuditRecord } from './audit/audit-record.js';
export { AuditRecordSchema } from './audit/audit-record.js';
export type { MakeExcerptOptions } from './audit/make-excerpt.js';
export { makeExcerpt } from './audit/make-excerpt.js';
export type { ScanCache, ScanCacheOptions } from './cache/scan-cache.js';
export { createScanCache, scanCacheKey, sha256Hex } from './cache/scan-cache.js';
// ---- Guard pipeline ----
export type { CreateGuardOptions, Guard } from './guard/create-guard.js';
export { createGuard } from './guard/create-guard.js';
export type { ConfiguredGuard, CreateGuardFromConfigOptions } from './guard/create-guard-from-config.js';
export { createGuardFromConfig, defaultAuditLogPath } from './guard/create-guard-from-config.js';
export type { GuardScanRequest, GuardVerdict, ScannerResult, SkippedScanner } from './guard/guard-verdict.js';
export type { LocatePromptGuardOptions, PromptGuardLocation } from './guard/locate-prompt-guard.js';
export { locatePromptGuard } from './guard/locate-prompt-guard.js';
export { redactText } from './guard/redact-text.js';
// ---- Llama Guard 4 (remote classifier) ----
export type { LlamaGuardCategoryCode } from './llama-guard/llama-guard-categories.js';
export { isLlamaGuardCategoryCode, llamaGuardCategories } from './llama-guard/llama-guard-categories.js';
export type {
  LlamaGuardCall,
  LlamaGuardClassifier,
  LlamaGuardClassifierOptions,
  LlamaGuardConversation,
  LlamaGuardEndpoint,
  LlamaGuardModerationsEndpoint,
  LlamaGuardVerdict,
} from './llama-guard/llama-guard-classifier.js';
export { createLlamaGuardClassifier } from './llama-guard/llama-guard-classifier.js';
export type { LlamaGuardProviderErrorOptions } from './llama-guard/llama-guard-provider-error.js';
export { llamaGuardProviderError } from './llama-guard/llama-guard-provider-error.js';
export type { LlamaGuardScannerOptions } from './llama-guard/llama-guard-scanner.js';
export { createLlamaGuardScanner } from './llama-guard/llama-guard-scanner.js';
export type { LlamaGuardOutput } from './llama-guard/parse-llama-guard-output.js';
export { parseLlamaGuardOutput } from './llama-guard/parse-llama-guard-output.js';
// ---- Integrations ----
export type {
  AgentGuard,
  AgentGuardOptions,
  GuardApprovalRequest,
  GuardJudgement,
} from './middleware/agent-guard.js';
export { createAgentGuard } from './middleware/agent-guard.js';
export { findGuardError } from './middleware/find-guard-error.js';
export type { GuardMiddlewareOptions } from './middleware/guard-middleware.js';
export { agentGuardMiddleware, guardMiddleware } from './middleware/guard-middleware.js';
// ---- Policy ----
export type {
  BlockOutcome,
  GuardAction,
  GuardMode,
  GuardPolicy,
  GuardPolicyInput,
  PointPolicy,
  ScannerRule,
  ScannerRules,
  ScanPoint,
} from './policy/guard-policy.js';
export {
  BlockOutcomeSchema,
  GuardActionSchema,
  GuardModeSchema,
  GuardPolicySchema,
  ModeOverrideSchema,
  PointPolicySchema,
  ScannerRuleSchema,
  ScannerRulesSchema,
  scanPoints,
} from './policy/guard-policy.js';
export type { GuardPolicyPresetName } from './policy/guard-policy-presets.js';
export { guardPolicyPresets } from './policy/guard-policy-presets.js';
export { guardPolicyWeakenings } from './policy/guard-policy-weakenings.js';
export { parseGuardPolicy } from './policy/parse-guard-policy.js';
export type { ResolvedPointPolicy, ResolvedScannerRule } from './policy/resolve-point-policy.js';
export { resolvePointPolicy, strongerAction } from './policy/resolve-point-policy.js';
export { compactWhitespace } from './prompt-guard/compact-whitespace.js';
// ---- Prompt Guard 2 (local ONNX classifier) ----
export type {
  PromptGuardClassifier,
  PromptGuardClassifierOptions,
  PromptGuardScore,
  PromptGuardScorer,
} from './prompt-guard/prompt-guard-classifier.js';
export { createPromptGuardClassifier, softmax } from './prompt-guard/prompt-guard-classifier.js';
export { createPromptGuardScanner } from './prompt-guard/prompt-guard-scanner.js';
export type { PromptGuardWorkersOptions } from './prompt-guard/prompt-guard-workers.js';
export { createPromptGuardWorkers, defaultPromptGuardWorkers } from './prompt-guard/prompt-guard-workers.js';
export type {
  SequenceClassifierModel,
  SequenceClassifierModelOptions,
} from './prompt-guard/sequence-classifier-model.js';
export { loadSequenceClassifierModel } from './prompt-guard/sequence-classifier-model.js';
export type { SplitTokenWindowsOptions, TokenWindow } from './prompt-guard/split-token-windows.js';
export { splitTokenWindows } from './prompt-guard/split-token-windows.js';
export type { SecretsRedactorOptions } from './scanners/create-secrets-redactor.js';
export { createSecretsRedactor } from './scanners/create-secrets-redactor.js';
// ---- Local scanners ----
export type { HiddenTextScannerOptions } from './scanners/hidden-text-scanner.js';
export {
  createHiddenTextScanner,
  decodeTagCharacters,
  revealHiddenText,
} from './scanners/hidden-text-scanner.js';
export type { PatternRule, PatternScannerOptions } from './scanners/pattern-scanner.js';
export { createPatternScanner, defaultPatternRules, PatternRuleSchema } from './scanners/pattern-scanner.js';
export type { Scanner, ScannerFinding, ScannerName, ScanSubject, TextSpan } from './scanners/scanner.js';
export { localScannerNames, ScannerNameSchema } from './scanners/scanner.js';
export { secretDetector } from './scanners/secret-detector.js';
export type { SecretsScannerOptions } from './scanners/secrets-scanner.js';
export { createSecretsScanner } from './scanners/secrets-scanner.js';
// ---- Setup: Prompt Guard 2 from the Hugging Face Hub into the per-user cache ----
export type { ConversionTool, ConvertToOnnxOptions } from './setup/convert-to-onnx.js';
export { convertToOnnx, findConversionTool, manualConversionCommands } from './setup/convert-to-onnx.js';
export type { DownloadedFile, DownloadHubFileOptions, DownloadProgress } from './setup/download-hub-file.js';
export { downloadHubFile } from './setup/download-hub-file.js';
export type { HubConnection, HubFile, HubRevision } from './setup/hub-client.js';
export { fetchHubRevision, hubConnectionFromEnv } from './setup/hub-client.js';
export type { InstalledModel, InstallPromptGuardOptions } from './setup/install-prompt-guard.js';
export { installPromptGuard, parseSource } from './setup/install-prompt-guard.js';
export type {
  FindInstalledResult,
  InstalledPromptGuard,
  ModelManifest,
  PromptGuardModelName,
  WiredModel,
} from './setup/model-cache.js';
export {
  defaultModelCacheDirectory,
  findInstalledPromptGuard,
  ModelManifestSchema,
  manifestFileName,
  modelDirectory,
  PromptGuardModelNameSchema,
  WiredModelSchema,
  wiredModelFileName,
} from './setup/model-cache.js';
export type { PromptGuardSource } from './setup/prompt-guard-sources.js';
export { defaultPromptGuardModel, promptGuardSources } from './setup/prompt-guard-sources.js';
export type { SelfCheckScores } from './setup/self-check-prompt-guard.js';
export { canonicalSelfCheckTexts, selfCheckPromptGuard } from './setup/self-check-prompt-guard.js';
export type { GuardStreamOptions } from './stream/guard-stream.js';
export { guardStream } from './stream/guard-stream.js';
