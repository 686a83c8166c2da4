// How the `herd` command is bundled (scripts/bundle-cli.mjs): the esbuild settings that decide what the bundle holds
// and how it runs. The test that bundles the token-count pool the same way to catch renamed worker functions
// (packages/engine/test/context/token-count-pool-bundled.test.ts) uses them too, so the two cannot drift apart.

/**
 * esbuild settings of the bundled `herd` command, without its entry points and output place.
 *
 * Left outside the bundle, and resolved from @herd/engine's own dependencies at run time: native addons
 * (better-sqlite3, onnxruntime-node, pg's optional pg-native), and packages that find files beside their own
 * modules at run time (web-tree-sitter's .wasm; gpt-tokenizer, whose rank file is read by path).
 *
 * @type {import('esbuild').BuildOptions}
 */
export const herdBundleSettings = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.11',
  // Bundled CommonJS modules call require() for Node's own modules; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as __herdCreateRequire } from 'node:module'; const require = __herdCreateRequire(import.meta.url);",
  },
  external: ['better-sqlite3', 'onnxruntime-node', 'pg-native', 'web-tree-sitter', 'gpt-tokenizer'],
  // Less text to decode and compile at every start (7.2 → 4.9 MB; herd sessions 0.82 → 0.68 s of CPU, 17 MB less
  // memory). Names are kept, so a stack trace still names each function.
  minifyWhitespace: true,
  minifySyntax: true,
};
