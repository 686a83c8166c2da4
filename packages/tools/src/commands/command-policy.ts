import path from 'node:path';
import picomatch from 'picomatch';
import type { CommandDecision, CommandRule } from '../config/tools-config.js';

/** What the command policy decided, and which rule decided it. */
export interface CommandPolicyVerdict {
  decision: CommandDecision;
  /** The rule that matched, as `program args`, or `default`. */
  rule: string;
  /** Why. */
  reason: string;
}

/**
 * Rules applied after the configured ones: privilege escalation and disk-wiping programs are refused, pushes and
 * deletions ask, and a few read-only utilities are allowed. Everything else falls to the default decision.
 */
export const builtinCommandRules: readonly CommandRule[] = [
  {
    program: '{sudo,su,doas,pkexec,runuser}',
    decision: 'deny',
    reason: 'privilege escalation is never allowed',
  },
  {
    program: '{shutdown,reboot,halt,poweroff,mkfs,mkfs.*,dd,fdisk,parted,mount,umount}',
    decision: 'deny',
    reason: 'system administration is never allowed',
  },
  {
    program: 'git',
    args: ['push*--force*', 'push -f*', 'push* -f', 'push* -f *', 'push* +*'],
    decision: 'deny',
    reason: 'force pushes are never allowed',
  },
  {
    program: 'git',
    args: ['push*', 'remote*', 'config*', 'reset --hard*', 'clean*', 'checkout*', 'stash*', 'rebase*'],
    decision: 'ask',
    reason: 'it changes history, remotes or discards work',
  },
  {
    program: '{npm,pnpm,yarn}',
    args: ['publish*', 'login*', 'adduser*', 'token*'],
    decision: 'ask',
    reason: 'it publishes or touches registry credentials',
  },
  {
    program: '{rm,rmdir,chmod,chown,mv,kill,pkill,killall}',
    decision: 'ask',
    reason: 'it deletes, moves or changes permissions',
  },
  {
    program: 'git',
    args: [
      'status*',
      'diff*',
      'log*',
      'show*',
      'branch',
      'branch --list*',
      'rev-parse*',
      'ls-files*',
      'blame*',
    ],
    decision: 'allow',
    reason: 'read-only git command',
  },
  {
    program:
      '{ls,cat,head,tail,wc,echo,printf,pwd,true,false,grep,rg,diff,sort,uniq,cut,tr,file,stat,which,basename,dirname,realpath,env,date,sleep,tree}',
    decision: 'allow',
    reason: 'read-only utility',
  },
];

const programMatches = (rule: CommandRule, program: string): boolean => {
  // A program given with a path only matches rules that name a path: '/tmp/evil/ls' is not 'ls'.
  const candidate =
    program.includes('/') && !rule.program.includes('/')
      ? undefined
      : program.includes('/')
        ? program
        : path.basename(program);
  return candidate !== undefined && picomatch.isMatch(candidate, rule.program, { dot: true });
};

const argsMatch = (rule: CommandRule, args: readonly string[]): boolean => {
  if (!rule.args) return true;
  const joined = args.join(' ');
  return rule.args.some((pattern) => picomatch.isMatch(joined, pattern, { dot: true, bash: true }));
};

/**
 * Decides allow, ask or deny for an argv: the configured rules first, then {@link builtinCommandRules}, then the
 * default decision. Arguments are matched joined by single spaces, so `push *` matches `git push origin main`.
 */
export function evaluateCommandPolicy(options: {
  argv: readonly string[];
  rules?: readonly CommandRule[];
  defaultDecision?: CommandDecision;
}): CommandPolicyVerdict {
  const { argv, rules = [], defaultDecision = 'ask' } = options;
  const [program = '', ...args] = argv;
  for (const rule of [...rules, ...builtinCommandRules]) {
    if (programMatches(rule, program) && argsMatch(rule, args)) {
      return {
        decision: rule.decision,
        rule: `${rule.program}${rule.args ? ` ${rule.args.join('|')}` : ''}`,
        reason: rule.reason ?? `the rule for '${rule.program}' says ${rule.decision}`,
      };
    }
  }
  return {
    decision: defaultDecision,
    rule: 'default',
    reason: `no rule matches '${path.basename(program)}', so the default decision (${defaultDecision}) applies`,
  };
}
