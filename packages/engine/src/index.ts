// Public API of @herd/engine; every export listed by name. A new export here is new public API.

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
export type { PackResult } from './context/pack-repository.js';
export { packRepository } from './context/pack-repository.js';
export type {
  ExcludedFile,
  ExclusionReason,
  FileTokenCount,
  PackMode,
  PackStats,
  RedactionLocation,
} from './context/pack-stats.js';
export type { SecretPattern } from './context/secrets/secret-patterns.js';
export { secretPatterns } from './context/secrets/secret-patterns.js';
// ---- Sessions ----
export type { CreateSessionStoreOptions } from './sessions/create-session-store.js';
export { createSessionStore } from './sessions/create-session-store.js';
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
