import { type ErrorBlame, HerdError } from './herd-error.js';

/** Something outside the user's control failed: the network, a provider, the file system, a child process. */
export class SystemError extends HerdError {
  readonly blame: ErrorBlame = 'system';
}
