#!/usr/bin/env node
// `node scripts/bundle-cli.mjs [--quiet]` (part of `pnpm build`, after `tsc -b`): bundles the compiled `herd` command and
// what it imports into packages/engine/dist/bundle/, which bin/herd.js runs.
//
// Why: unbundled, a `herd` process loads about 1,470 ES modules (LangChain, openai, langsmith, zod, Herd's own
// four packages) one file at a time: resolving, reading and compiling them took most of its CPU. Measured on the
// 2-core machine: `herd sessions` 2.2 s of CPU → 0.7 s, and the `herd run`/`herd ci` processes of the end-to-end
// tests 3.5 s → 2.2 s each. esbuild does the bundling (a well-kept bundler, already installed through vitest);
// nothing of Herd's is rewritten by hand.
//
// The bundle keeps the dynamic imports as separate chunks (`splitting`), so a command still loads only what it
// runs. What stays outside it, and the rest of esbuild's settings: scripts/herd-bundle-settings.mjs.
// Herd's modules that find files of their own package do so through the package's name (enginePackageFile), and
// the Prompt Guard worker is a second entry point beside the CLI, where prompt-guard-workers.js looks for it.
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { herdBundleSettings } from './herd-bundle-settings.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'packages/engine/dist/bundle');

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  ...herdBundleSettings,
  absWorkingDir: root,
  entryPoints: {
    herd: 'packages/engine/dist/cli/herd.js',
    'prompt-guard-worker': 'packages/guard/dist/prompt-guard/prompt-guard-worker.js',
  },
  outdir,
  entryNames: '[name]',
  // Beside the entry points: a chunk that asks for the Prompt Guard worker looks in its own folder.
  chunkNames: '[name]-[hash]',
  splitting: true,
  // The licence notices of the bundled packages go into .LEGAL.txt files beside the code, which the package ships.
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
if (!process.argv.includes('--quiet'))
  process.stdout.write(
    `bundled the herd command into ${relative(root, outdir)}/: ${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB\n`,
  );
