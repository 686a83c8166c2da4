import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Tests import workspace packages from their TypeScript sources, so no build is needed to run them. */
const alias = [
  { find: /^@herd\/core\/testing$/, replacement: source('./packages/core/src/testing/index.ts') },
  { find: /^@herd\/core\/models$/, replacement: source('./packages/core/src/models/index.ts') },
  { find: /^@herd\/core\/(errors|secrets)$/, replacement: source('./packages/core/src/$1/index.ts') },
  { find: /^@herd\/tools\/git$/, replacement: source('./packages/tools/src/git/index.ts') },
  { find: /^@herd\/guard\/secrets$/, replacement: source('./packages/guard/src/secrets.ts') },
  { find: /^@herd\/guard\/policy$/, replacement: source('./packages/guard/src/policy.ts') },
  { find: /^@herd\/(core|tools|guard|engine)$/, replacement: source('./packages/$1/src/index.ts') },
  { find: /^@herd\/test-support\/vitest$/, replacement: source('./test/support/src/vitest/index.ts') },
  { find: /^@herd\/test-support$/, replacement: source('./test/support/src/index.ts') },
];

const project = (name: string, root: string) => ({
  extends: true as const,
  test: { name, root, include: ['test/**/*.test.ts'] },
});

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // A temporary HOME and XDG folders for the whole run: no test touches the developer's own (see the file).
    globalSetup: [source('./test/support/src/vitest/global-setup.ts')],
    // Two test files at once even on two cores (vitest's default is one worker fewer than cores: one, there). Most
    // of the time a file waits on a process it started (herd, git, bwrap, node), so one worker left a core idle: on
    // two loaded cores the e2e windows/ and engine/ files took 337 s with one worker and 188 s with two, for the same
    // CPU time. The default pool (forks) stays: the tests start processes, change process.env and load native
    // modules, which worker threads do not all allow.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A worker runs one test file after another in the same process and keeps the modules it loaded (the engine's
    // sources, LangChain): loading them anew for each file took more of the package projects' time than most
    // files' tests (per-file "import" in vitest's summary). So a test file leaves the process as it found it:
    // vi.stubEnv() with vi.unstubAllEnvs(), a cwd, spy or server restored or closed in afterEach/afterAll, and a
    // file that needs a module's first-use state (an environment read once) loads it anew with vi.resetModules().
    isolate: false,
    projects: [
      project('core', 'packages/core'),
      project('tools', 'packages/tools'),
      project('guard', 'packages/guard'),
      project('engine', 'packages/engine'),
      {
        extends: true as const,
        test: {
          name: 'e2e',
          root: 'test',
          include: ['**/*.test.ts'],
          exclude: ['support/**', '**/node_modules/**'],
        },
      },
    ],
  },
});
