#!/usr/bin/env node
// Writes schema/herd-config.schema.json from the zod schemas of herd.config.json (build first: `npx tsc -b`).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { herdConfigJsonSchema } from '../dist/index.js';

const target = new URL('../schema/herd-config.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(herdConfigJsonSchema(), null, 2)}\n`);
// Formatted as the repository's formatter would, so `biome check` stays clean after regenerating.
execFileSync('npx', ['biome', 'format', '--write', fileURLToPath(target)], { stdio: 'ignore' });
process.stdout.write(`wrote ${target.pathname}\n`);
