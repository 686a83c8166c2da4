import { PassThrough } from 'node:stream';
import type { ConfigTrust } from '@herd/core';
import { describe, expect, it } from 'vitest';
import { terminalConfigTrust } from '../../../src/cli/runs/terminal-config-trust.js';

/** A terminal: both ends claim to be a TTY, as they do when a person runs herd in a shell. */
function terminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  let shown = '';
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString('utf8');
  });
  return {
    input: input as unknown as NodeJS.ReadStream,
    output: output as unknown as NodeJS.WriteStream,
    shown: () => shown,
  };
}

const changed: ConfigTrust = {
  status: 'changed',
  file: '/repo/herd.config.json',
  sha256: 'b'.repeat(64),
  confirmed: { sha256: 'a'.repeat(64), at: '2025-01-01T00:00:00.000Z' },
  scope: '/repo',
  recordFile: '/state/herd/trusted-configs/x.json',
  weakenings: [],
  personal: false,
  acceptedByPerson: false,
};

/** A cloned repository's configuration, seen for the first time, that turns the sandbox off. */
const weakening: ConfigTrust = {
  status: 'first-use',
  file: '/repo/herd.config.json',
  sha256: 'c'.repeat(64),
  scope: '/repo',
  recordFile: '/state/herd/trusted-configs/x.json',
  weakenings: [
    { path: 'tools.sandbox.mode', what: 'turns the command sandbox off: commands run unsandboxed' },
  ],
  personal: false,
  acceptedByPerson: false,
};

describe('terminalConfigTrust', () => {
  it('says what changed and uses the file only on yes', async () => {
    const yes = terminal();
    const trust = terminalConfigTrust(yes);
    if (trust === 'refuse') throw new Error('expected a question on a terminal');
    const answer = trust.ask(changed);
    yes.input.push('y\n');
    expect(await answer).toBe(true);
    expect(yes.shown()).toContain('/repo/herd.config.json changed since a person last ran Herd with it');
    expect(yes.shown()).toContain('git diff -- /repo/herd.config.json');

    const enter = terminal();
    const refused = terminalConfigTrust(enter);
    if (refused === 'refuse') throw new Error('expected a question on a terminal');
    const nothing = refused.ask(changed);
    enter.input.push('\n');
    expect(await nothing).toBe(false);
  });

  it('asks about a first configuration that weakens Herd, naming each weakening', async () => {
    const yes = terminal();
    const trust = terminalConfigTrust(yes);
    if (trust === 'refuse') throw new Error('expected a question on a terminal');
    const answer = trust.ask(weakening);
    yes.input.push('y\n');
    expect(await answer).toBe(true);
    expect(yes.shown()).toContain(
      '/repo/herd.config.json weakens Herd, and no person has accepted it for /repo',
    );
    expect(yes.shown()).toContain('tools.sandbox.mode: turns the command sandbox off');
  });

  it('refuses without asking when there is no terminal to ask on', () => {
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    const output = new PassThrough() as unknown as NodeJS.WriteStream;
    expect(terminalConfigTrust({ input, output })).toBe('refuse');
  });
});
