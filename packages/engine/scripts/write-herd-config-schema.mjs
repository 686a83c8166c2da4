#!/usr/bin/env node
// Writes schema/herd-config.schema.json from the zod schemas of herd.config.json (build first: `npx tsc -b`).
import { writeFileSync } from 'node:fs';
import { herdConfigJsonSchema } from '../dist/index.js';

const target = new URL('../schema/herd-config.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(herdConfigJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
