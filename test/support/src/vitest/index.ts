// @herd/test-support/vitest: what only runs inside vitest (it registers hooks), kept out of the main entry so that
// the benchmarks can use the scripted server without vitest.

export { useScriptedServer } from './use-scripted-server.js';
