// @herd/core/secrets: secret detection and redaction on their own, without zod and the schemas of @herd/core, so
// that every front door can redact what it prints from its first line at little cost.

export type { EnvironmentSecret } from './environment-secrets.js';
export { environmentSecrets } from './environment-secrets.js';
export { findUrlCredentials, urlCredentialDetector } from './find-url-credentials.js';
export { redactError } from './redact-error.js';
export { redactSpans } from './redact-spans.js';
export { createRedactingFetch } from './redacting-fetch.js';
export type { SecretDetectionOptions, SecretDetector, SecretSpan } from './secret-detector.js';
export { emptySecretDetector } from './secret-detector.js';
export type { SecretRedactor, SecretRedactorOptions } from './secret-redactor.js';
export { createSecretRedactor } from './secret-redactor.js';
