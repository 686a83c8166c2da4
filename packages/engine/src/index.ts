// Public API of @herd/engine; every export listed by name. A new export here is new public API.

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
