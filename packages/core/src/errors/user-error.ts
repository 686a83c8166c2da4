import { type ErrorBlame, HerdError } from './herd-error.js';

/** The user's input or configuration is wrong; the message says which value and how to fix it. */
export class UserError extends HerdError {
  readonly blame: ErrorBlame = 'user';
}
