// Public API of @herd/engine; every export listed by name. A new export here is new public API.

// ---- Editor backend (Agent Client Protocol) ----
export type { AcpSessionRecord } from './acp/acp-session-record.js';
export { AcpSessionRecordSchema } from './acp/acp-session-record.js';
export type { AcpAgent, CreateAcpAgentOptions } from './acp/create-acp-agent.js';
export { createAcpAgent } from './acp/create-acp-agent.js';
export { serveAcpOverStdio } from './acp/serve-acp-over-stdio.js';
export type { SessionUpdateMapper, SessionUpdateMapperOptions } from './acp/session-update-mapper.js';
export { createSessionUpdateMapper } from './acp/session-update-mapper.js';
// ---- Actor ----
export type { ActorMiddlewareOptions } from './actor/actor-middleware.js';
export { actorMiddleware } from './actor/actor-middleware.js';
export type { ModelRoutingMiddlewareOptions } from './actor/model-routing-middleware.js';
export { modelRoutingMiddleware } from './actor/model-routing-middleware.js';
export type {
  DeviationAction,
  PlanContractFollowUp,
  PlanContractMiddlewareOptions,
} from './actor/plan-contract-middleware.js';
export { planContractMiddleware } from './actor/plan-contract-middleware.js';
export type { ApprovalDecision, ApprovalMemory, ApprovalRequest } from './approvals/approval-request.js';
export {
  ApprovalDecisionSchema,
  ApprovalRequestSchema,
  askForApproval,
} from './approvals/approval-request.js';
// ---- CI bot (herd ci) ----
export type { BuildCiReportOptions } from './ci/build-ci-report.js';
export { buildCiReport } from './ci/build-ci-report.js';
export { ciCommitMessage } from './ci/ci-commit-message.js';
export type { CiChangedFile, CiCommit, CiRefusedCommand, CiReport, CiStepReport } from './ci/ci-report.js';
export {
  CiChangedFileSchema,
  CiCommitSchema,
  CiRefusedCommandSchema,
  CiReportSchema,
  CiStepReportSchema,
  ciReportSchemaVersion,
} from './ci/ci-report.js';
export { ciReportJsonSchema } from './ci/ci-report-json-schema.js';
export type { CheckCiBranchOptions, CommitCiChangesOptions } from './ci/commit-ci-changes.js';
export { checkCiBranch, ciCommitIdentity, commitCiChanges } from './ci/commit-ci-changes.js';
export { parsePatchFiles } from './ci/parse-patch-files.js';
export { renderCiSummary } from './ci/render-ci-summary.js';
export type { ResolveCiTaskOptions } from './ci/resolve-ci-task.js';
export { defaultCiTaskVariable, resolveCiTask } from './ci/resolve-ci-task.js';
export type { CiRunOutcome, RunCiOptions } from './ci/run-ci.js';
export { defaultCiOutputDirectory, runCi } from './ci/run-ci.js';
export { githubOutputsOf, writeGithubOutputs } from './ci/write-github-outputs.js';
// ---- Repository context (packing) ----
export type {
  ContentScanner,
  ContentVerdict,
  ScannedFile,
  ScannerRedaction,
} from './context/content-scanner.js';
export type {
  PackRepositoryOptions,
  PackSelection,
  PackSelectionInput,
  PackSettings,
} from './context/pack-options.js';
export { PackSelectionSchema, PackSettingsSchema } from './context/pack-options.js';
export type { PackPhase, PackProgress } from './context/pack-progress.js';
export { packRepository, packRepositoryDocument } from './context/pack-repository.js';
export type { PackResult } from './context/pack-result.js';
export type {
  ExcludedFile,
  ExclusionReason,
  FileTokenCount,
  PackMode,
  PackStats,
  RedactionLocation,
} from './context/pack-stats.js';
export type { PackedDocument } from './context/packed-document.js';
export { LimitExceededError } from './errors/limit-exceeded-error.js';
export type { EventChannel, EventChannelOptions } from './events/event-channel.js';
export { createEventChannel } from './events/event-channel.js';
export type { CreateHerdOptions, Herd, HerdRun, HerdRunOptions } from './herd/create-herd.js';
export { createHerd } from './herd/create-herd.js';
// ---- Herd (library API) ----
export type { ApprovalResolver, HerdRunResult } from './herd/drive-run.js';
export { isRunAlive } from './herd/running-marker.js';
export type { WorkspaceRunHolder, WorkspaceRunLock } from './herd/workspace-run-lock.js';
export {
  acquireWorkspaceRunLock,
  WorkspaceRunHolderSchema,
  workspaceRunLockPath,
} from './herd/workspace-run-lock.js';
export type { ImageContentPart, TaskImage } from './images/task-image.js';
export { TaskImageSchema } from './images/task-image.js';
// ---- Planner ----
export type { PlanStore, PlanVersion } from './planner/plan-store.js';
export { createPlanStore } from './planner/plan-store.js';
export { renderPlanMarkdown } from './planner/render-plan-markdown.js';
export type {
  ChatModel,
  PlannerCallReport,
  RequestedPlan,
  RequestPlanOptions,
} from './planner/request-plan.js';
export { requestPlan } from './planner/request-plan.js';
// ---- Runs ----
export type { RunContext, RunGuard } from './run/run-context.js';
export type { Deviation, RunMode, RunStatus, VerificationOutcome } from './run/run-state.js';
// ---- Sessions ----
export type { CreateSessionStoreOptions } from './sessions/create-session-store.js';
export { createSessionStore } from './sessions/create-session-store.js';
export type { FindResumableSessionOptions } from './sessions/find-resumable-session.js';
export { findResumableSession } from './sessions/find-resumable-session.js';
export { redactConnectionString } from './sessions/redact-connection-string.js';
export type { ResolveSessionDatabaseOptions, SessionDatabase } from './sessions/session-database.js';
export { defaultSessionDatabasePath, resolveSessionDatabase } from './sessions/session-database.js';
export type { SessionRecord, SessionStatus } from './sessions/session-record.js';
export {
  resumableSessionStatuses,
  SessionRecordSchema,
  SessionStatusSchema,
} from './sessions/session-record.js';
export type {
  ListSessionsOptions,
  RecordSessionInput,
  SessionStore,
  UpdateSessionInput,
} from './sessions/session-store.js';
export { loadConfigSectionJudges } from './settings/config-section-judges.js';
export { herdConfigJsonSchema, herdConfigSchemaPath } from './settings/herd-config-json-schema.js';
export { loadWorkspaceConfig } from './settings/load-workspace-config.js';
export type { RunLimits, RunSettings } from './settings/run-settings.js';
export { parseRunSettings, RunSettingsSchema } from './settings/run-settings.js';
export { runSettingsWeakenings } from './settings/run-settings-weakenings.js';
