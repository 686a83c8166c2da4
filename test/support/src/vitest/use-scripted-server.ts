import { afterEach, beforeEach } from 'vitest';
import { type ScriptedServer, type ScriptedServerOptions, startScriptedServer } from '../scripted-server.js';

/**
 * A fresh scripted server for every test of the file (or `describe` block) that calls this: started before each
 * test, closed after it, so no test sees another's queued turns or recorded requests. Call it where the hooks
 * belong, at the top of the file or of a `describe`.
 *
 * @returns The running test's server: its properties and methods are those of the server started for that test.
 * @example
 * const server = useScriptedServer();
 * it('plans', async () => {
 *   server.enqueue({ content: JSON.stringify(plan) }, { model: testModels.planner });
 *   // ... run Herd against server.url ...
 * });
 */
export function useScriptedServer(options?: ScriptedServerOptions): ScriptedServer {
  let current: ScriptedServer | undefined;
  beforeEach(async () => {
    current = await startScriptedServer(options);
  });
  afterEach(async () => {
    const closing = current;
    current = undefined;
    await closing?.close();
  });
  return new Proxy({} as ScriptedServer, {
    get(_target, key) {
      if (!current)
        throw new Error(
          `The scripted server was used outside a test (reading ${String(key)}); useScriptedServer() starts one before each test.`,
        );
      const value: unknown = Reflect.get(current, key, current);
      return typeof value === 'function' ? value.bind(current) : value;
    },
  });
}
