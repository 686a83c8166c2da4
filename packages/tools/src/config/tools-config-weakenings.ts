import type { ConfigWeakening } from '@herd/core';
import picomatch from 'picomatch';
import { defaultEnvironmentAllowList } from '../commands/child-environment.js';
import { builtinCommandRules } from '../commands/command-policy.js';
import { parseToolsConfig } from './parse-tools-config.js';
import type { CommandRule } from './tools-config.js';

/** Programs a built-in rule refuses, one name for each alternative of its pattern. */
const deniedPrograms = builtinCommandRules
  .filter((rule) => rule.decision === 'deny')
  .flatMap((rule) => {
    const names = rule.program.replace(/^\{|\}$/g, '').split(',');
    return names.map((name) => ({ name: name.replace('*', 'ext4'), rule }));
  });

/** Force pushes, as the built-in deny rule for git sees them. */
const forcePushes = ['push --force', 'push -f', 'push origin main --force', 'push origin +main'];

/** Whether a configured `ask` rule, tried before the built-in ones, would ask where a built-in rule refuses. */
function shadowsBuiltinDeny(rule: CommandRule): boolean {
  return deniedPrograms.some(({ name, rule: builtin }) => {
    if (!picomatch.isMatch(name, rule.program, { dot: true })) return false;
    if (!rule.args || !builtin.args) return true;
    return forcePushes.some((args) =>
      rule.args!.some((pattern) => picomatch.isMatch(args, pattern, { dot: true, bash: true })),
    );
  });
}

const describeRule = (rule: CommandRule) => `${rule.program}${rule.args ? ` ${rule.args.join(' | ')}` : ''}`;

/**
 * What the `tools` section weakens against its defaults, for the configuration trust check: the sandbox off or its
 * network on, commands allowed without asking (a rule, the default decision, a shell), an `ask` rule placed where a
 * built-in rule refuses (`sudo`, force pushes), more environment variables passed to commands, the built-in deny
 * globs off (`.env`, keys), hosts `fetch_url` may reach, and a checkpoint store where the configuration chose (Herd
 * writes a git repository there). Tighter settings (more deny globs and `deny` rules, `sandbox.mode: required`,
 * smaller limits) weaken nothing.
 *
 * @param value the raw `tools` section (validated by {@link parseToolsConfig}).
 */
export function toolsConfigWeakenings(value: unknown): ConfigWeakening[] {
  const config = parseToolsConfig(value);
  const weakenings: ConfigWeakening[] = [];
  const add = (path: string, what: string) => weakenings.push({ path: `tools.${path}`, what });
  if (config.sandbox.mode === 'off')
    add('sandbox.mode', 'turns the command sandbox off: commands run unsandboxed');
  if (config.sandbox.network) add('sandbox.network', 'lets sandboxed commands reach the network');
  if (config.commands.defaultDecision === 'allow')
    add('commands.defaultDecision', 'runs every command no rule names without asking');
  config.commands.rules.forEach((rule, index) => {
    if (rule.decision === 'allow') {
      add(`commands.rules.${index}`, `runs \`${describeRule(rule)}\` without asking`);
    } else if (rule.decision === 'ask' && shadowsBuiltinDeny(rule)) {
      add(`commands.rules.${index}`, `asks about \`${describeRule(rule)}\`, which Herd otherwise refuses`);
    }
  });
  if (config.commands.allowShell) add('commands.allowShell', 'lets the model run shell command lines');
  const passed = config.commands.envAllow.filter((name) => !defaultEnvironmentAllowList.includes(name));
  if (passed.length > 0)
    add('commands.envAllow', `passes ${passed.join(', ')} from Herd's environment to every command`);
  if (!config.jail.defaultDeny)
    add('jail.defaultDeny', 'lets the model read and write .env files, private keys and credentials files');
  if (config.fetchUrl.allowHosts.length > 0) {
    add(
      'fetchUrl.allowHosts',
      `lets the model fetch from ${config.fetchUrl.allowHosts.join(', ')} (what it puts in a URL goes there too)`,
    );
  }
  if (config.checkpoints.directory !== undefined) {
    add(
      'checkpoints.directory',
      `keeps checkpoints in ${config.checkpoints.directory}: Herd writes a git repository of the workspace's files where the configuration chose`,
    );
  }
  return weakenings;
}
