import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version of Herd, read from `@herd/engine`'s package.json. */
export const herdVersion: string = (require('../package.json') as { version: string }).version;
