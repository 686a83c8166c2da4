import { readFileSync } from 'node:fs';
import { enginePackageFile } from './engine-package-file.js';

/** The version of Herd, read from `@herd/engine`'s package.json. */
export const herdVersion: string = (
  JSON.parse(readFileSync(enginePackageFile('package.json'), 'utf8')) as { version: string }
).version;
