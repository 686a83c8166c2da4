// The product's secret detector and redactor, on their own: `@herd/guard/secrets` loads only these (and core), not
// the classifiers, so every front door can redact its output from its first line without paying for the guard.
export type { SecretsRedactorOptions } from './scanners/create-secrets-redactor.js';
export { createSecretsRedactor } from './scanners/create-secrets-redactor.js';
export { secretDetector } from './scanners/secret-detector.js';
