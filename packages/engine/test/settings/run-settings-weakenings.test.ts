import { describe, expect, it } from 'vitest';
import { runSettingsWeakenings } from '../../src/settings/run-settings-weakenings.js';

describe('what the run section weakens', () => {
  it('finds nothing in the defaults, a test command, limits or firmer deviations', () => {
    expect(runSettingsWeakenings(undefined)).toEqual([]);
    expect(
      runSettingsWeakenings({
        testCommand: ['npm', 'test'],
        maxFixAttempts: 5,
        limits: { modelCalls: 1000, costUsd: 50 },
        deviations: { interactive: 'block', ci: 'block' },
      }),
    ).toEqual([]);
  });

  it('finds plan deviations let through or only warned about', () => {
    expect(runSettingsWeakenings({ deviations: { interactive: 'allow', ci: 'warn' } })).toEqual([
      {
        path: 'run.deviations.interactive',
        what: 'lets through a step that departs from the approved plan, where Herd would ask',
      },
      {
        path: 'run.deviations.ci',
        what: 'only warns about a step that departs from the approved plan in CI, where Herd would block it',
      },
    ]);
  });

  it('finds a session database the configuration chose, without its password', () => {
    const [weakening] = runSettingsWeakenings({
      sessionDatabase: 'postgres://herd:hunter2hunter2@db.example:5432/herd',
    });
    expect(weakening?.path).toBe('run.sessionDatabase');
    expect(weakening?.what).toContain('the database at db.example:5432');
    expect(weakening?.what).not.toContain('hunter2');
  });
});
