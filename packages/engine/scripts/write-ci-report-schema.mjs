#!/usr/bin/env node
// Writes schema/ci-report.schema.json from the zod schema of the `herd ci` report (build first: `npx tsc -b`).
import { writeFileSync } from 'node:fs';
import { ciReportJsonSchema } from '../dist/index.js';

const target = new URL('../schema/ci-report.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(ciReportJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
