import { createTestConfig, testModels } from '@herd/core/testing';
import { createHerd } from '@herd/engine';
import { postgresTestUrl } from '@herd/test-support';
import { useScriptedServer } from '@herd/test-support/vitest';
import { describe, expect, it } from 'vitest';
import { createFailingTestRepository, fixPlan, fixtureTestCommand } from './fixture-repository.js';

// Throws on CI when HERD_TEST_POSTGRES_URL is unset, so CI cannot silently lose this test.
const postgres = postgresTestUrl();

const server = useScriptedServer();

describe.skipIf(postgres.url === undefined)(
  `a run whose sessions live in PostgreSQL${postgres.skipReason ? ` (skipped: ${postgres.skipReason})` : ''}`,
  () => {
    it('plans, acts, verifies and lists the session from the team database', async () => {
      const workspace = createFailingTestRepository();
      const base = createTestConfig({ baseUrl: server.url, testCommand: fixtureTestCommand });
      const config = {
        ...base,
        roles: { planner: base.roles?.planner, actor: base.roles?.actor },
        run: { ...base.run, sessionDatabase: postgres.url },
      };
      server.enqueue({ content: JSON.stringify(fixPlan) }, { model: testModels.planner });
      server.enqueue(
        [
          {
            toolCalls: [
              {
                name: 'edit_file',
                arguments: {
                  path: 'src/add.js',
                  edits: [{ search: 'left - right', replace: 'left + right' }],
                },
              },
            ],
          },
          { content: 'done' },
        ],
        { model: testModels.actor },
      );
      const herd = createHerd({
        workspace,
        config: { config, file: undefined, baseDirectory: workspace },
        env: {},
        autoApprovePlan: true,
      });
      const result = await herd.run('make the failing test pass').result;
      const sessions = await herd.sessions();
      await herd.close();
      expect(result.status).toBe('succeeded');
      expect(sessions.find((session) => session.id === result.sessionId)).toMatchObject({
        status: 'completed',
        lastCompletedStep: 'step-1',
      });
    });
  },
);
