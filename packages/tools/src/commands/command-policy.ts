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
 * deletions and programs that run other programs ask, and a few utilities that read no file are allowed. Everything
 * else falls to the default decision.
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
    // They run the program named in their arguments, which would slip past every rule above.
    program: '{env,nice,nohup,timeout,xargs,time,stdbuf,command,exec,busybox,setsid,unbuffer,watch,parallel}',
    decision: 'ask',
    reason: 'it runs another program given in its arguments',
  },
  {
    // Only programs that read no file: file contents go through read_file and search, which the jail and the
    // deny globs check (`cat .env` would not be).
    program: '{ls,echo,printf,pwd,true,false,which,basename,dirname,realpath,date,sleep}',
    decision: 'allow',
    reason: 'harmless utility',
  },
];

const programMatches = (rule: CommandRule, program: string): boolean => {
  if (program.includes('/') && !rule.program.includes('/')) {
    // '/tmp/evil/ls' is not 'ls' for an allow rule, but '/usr/bin/sudo' is still sudo for a deny or ask rule.
    return (
      rule.decision !== 'allow' && picomatch.isMatch(path.basename(program), rule.program, { dot: true })
    );
  }
  return picomatch.isMatch(program.includes('/') ? program : path.basename(program), rule.program, {
    dot: true,
  });
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
