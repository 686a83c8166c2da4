#!/usr/bin/env node
// Writes schema/ci-report.schema.json from the zod schema of the `herd ci` report (build first: `npx tsc -b`).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ciReportJsonSchema } from '../dist/index.js';

const target = new URL('../schema/ci-report.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(ciReportJsonSchema(), null, 2)}\n`);
// Formatted as the repository's formatter would, so `biome check` stays clean after regenerating.
execFileSync('npx', ['biome', 'format', '--write', fileURLToPath(target)], { stdio: 'ignore' });
process.stdout.write(`wrote ${target.pathname}\n`);
