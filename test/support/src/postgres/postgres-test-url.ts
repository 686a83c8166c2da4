/** The PostgreSQL server the tests may use, or why there is none. */
export type PostgresTestTarget =
  | {
      /** Connection string of a database the tests may create tables in. */
      url: string;
      skipReason?: undefined;
    }
  | {
      url?: undefined;
      /** Why the PostgreSQL tests are skipped, and how to run them. */
      skipReason: string;
    };

/** The environment variable that carries the test server's connection string. */
export const postgresTestUrlVariable = 'HERD_TEST_POSTGRES_URL';

/**
 * Reads the test PostgreSQL server's URL from `HERD_TEST_POSTGRES_URL`. Without it, local runs get a skip reason
 * that says how to start a server, while CI (`CI=true`) fails, so CI can never lose the PostgreSQL coverage unnoticed.
 *
 * @param environment - The environment to read; `process.env` by default.
 * @throws Error when `CI` is `true` and the variable is unset.
 * @example
 * const postgres = postgresTestUrl();
 * describe.skipIf(postgres.url === undefined)('sessions on PostgreSQL', () => { ... });
 */
export function postgresTestUrl(environment: NodeJS.ProcessEnv = process.env): PostgresTestTarget {
  const url = environment[postgresTestUrlVariable];
  if (url !== undefined && url !== '') return { url };
  const howToStart = `export ${postgresTestUrlVariable}="$(scripts/ci/start-postgres.sh)"`;
  if (environment.CI === 'true') {
    throw new Error(
      `${postgresTestUrlVariable} is not set on CI, so the PostgreSQL tests cannot run; start the test server in .ci/run with: HERD_TEST_POSTGRES_URL="$(scripts/ci/start-postgres.sh)"; export HERD_TEST_POSTGRES_URL`,
    );
  }
  return {
    skipReason: `${postgresTestUrlVariable} is not set; to run the PostgreSQL tests, first run: ${howToStart}`,
  };
}
