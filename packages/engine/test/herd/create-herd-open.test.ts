import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { createFailingTestRepository } from '../../../../test/engine/fixture-repository.js';
import { createHerd } from '../../src/herd/create-herd.js';

describe('createHerd opening', () => {
  it('lists sessions with no model configured, and tries again after a broken configuration is fixed', async () => {
    const workspace = createFailingTestRepository();
    writeFileSync(join(workspace, 'herd.config.json'), '{ "run": { "maxFixAttempts": "three" } }');
    const herd = createHerd({ workspace, env: { PATH: process.env.PATH } });
    try {
      await expect(herd.sessions()).rejects.toBeInstanceOf(ConfigError);
      writeFileSync(join(workspace, 'herd.config.json'), '{ "run": { "maxFixAttempts": 3 } }');
      await expect(herd.sessions()).resolves.toEqual([]);
    } finally {
      await herd.close();
    }
  });
});
