// @herd/core/errors: Herd's error classes on their own. They need no schema library, so a command that only
// reports errors (or runs git) does not load zod and every schema of @herd/core to do it.

export type { ConfigErrorOptions, ConfigIssue } from './config-error.js';
export { ConfigError } from './config-error.js';
export type { GuardErrorOptions } from './guard-error.js';
export { GuardError } from './guard-error.js';
export type { ErrorBlame, HerdErrorOptions } from './herd-error.js';
export { HerdError } from './herd-error.js';
export type { ModelBehaviorErrorOptions } from './model-behavior-error.js';
export { ModelBehaviorError } from './model-behavior-error.js';
export type { ProviderErrorOptions } from './provider-error.js';
export { ProviderError } from './provider-error.js';
export { SystemError } from './system-error.js';
export { UserError } from './user-error.js';
