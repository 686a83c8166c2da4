import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The script that starts the throwaway test server; CI and {@link startTestPostgres} both run it. */
export const startPostgresScript = fileURLToPath(
  new URL('../../../../scripts/ci/start-postgres.sh', import.meta.url),
);

/** Options for {@link startTestPostgres}. */
export interface StartTestPostgresOptions {
  /** TCP port on 127.0.0.1; 54329 by default. */
  port?: number;
  /** Folder for the cluster; `/tmp/herd-postgres-<port>` by default. */
  directory?: string;
}

/**
 * Starts (or finds already running) the throwaway PostgreSQL test server on 127.0.0.1 by running
 * `scripts/ci/start-postgres.sh`, which installs Debian's `postgresql` first when no server binaries are found.
 * Useful in a vitest `globalSetup` that sets `HERD_TEST_POSTGRES_URL`.
 *
 * @returns The connection string of the `herd_test` database.
 * @throws Error with the script's output when the server cannot be started.
 */
export async function startTestPostgres(options: StartTestPostgresOptions = {}): Promise<string> {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  if (options.port !== undefined) environment.HERD_TEST_POSTGRES_PORT = String(options.port);
  if (options.directory !== undefined) environment.HERD_TEST_POSTGRES_DIR = options.directory;
  try {
    const { stdout } = await promisify(execFile)('bash', [startPostgresScript], {
      env: environment,
      timeout: 300_000,
    });
    return stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `Could not start the test PostgreSQL server with ${startPostgresScript}: ${stderr.trim() || String(error)}`,
      {
        cause: error,
      },
    );
  }
}
