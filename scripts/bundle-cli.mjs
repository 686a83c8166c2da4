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
// runs. Left outside it, and resolved from @herd/engine's own dependencies at run time:
// - native addons (better-sqlite3, onnxruntime-node, pg's optional pg-native);
// - packages that find files beside their own modules at run time (web-tree-sitter's .wasm; gpt-tokenizer, whose
//   rank list is read by path on worker threads).
// Herd's modules that find files of their own package do so through the package's name (enginePackageFile), and
// the Prompt Guard worker is a second entry point beside the CLI, where prompt-guard-workers.js looks for it.
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'packages/engine/dist/bundle');
const external = ['better-sqlite3', 'onnxruntime-node', 'pg-native', 'web-tree-sitter', 'gpt-tokenizer'];

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    herd: 'packages/engine/dist/cli/herd.js',
    'prompt-guard-worker': 'packages/guard/dist/prompt-guard/prompt-guard-worker.js',
  },
  outdir,
  entryNames: '[name]',
  // Beside the entry points: a chunk that asks for the Prompt Guard worker looks in its own folder.
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.11',
  // Bundled CommonJS modules call require() for Node's own modules; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as __herdCreateRequire } from 'node:module'; const require = __herdCreateRequire(import.meta.url);",
  },
  external,
  // The licence notices of the bundled packages go into .LEGAL.txt files beside the code, which the package ships.
  legalComments: 'linked',
  // Less text to decode and compile at every start (7.2 → 4.9 MB; herd sessions 0.82 → 0.68 s of CPU, 17 MB less
  // memory). Names are kept, so a stack trace still names each function.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
if (!process.argv.includes('--quiet'))
  process.stdout.write(
    `bundled the herd command into ${relative(root, outdir)}/: ${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB\n`,
  );
