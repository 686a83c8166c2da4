import path from 'node:path';
import picomatch from 'picomatch';
import type { CommandDecision, CommandRule } from '../config/tools-config.js';
import { vetHarmlessUtility } from './vet-harmless-utility.js';
import { type VettingResult, vetReadOnlyGit } from './vet-read-only-git.js';

/** What the command policy decided, and which rule decided it. */
export interface CommandPolicyVerdict {
  decision: CommandDecision;
  /** The rule that matched, as `program args`, or `default`. */
  rule: string;
  /** Why. */
  reason: string;
}

/** What the command policy knows about where a command runs. */
export interface CommandPolicyContext {
  /**
   * Whether the command's working directory is inside a git work tree. Outside one, `git diff` compares any two
   * files on disk, so it is allowed without asking only when this is true. Default false.
   */
  insideGitRepository?: boolean;
  /**
   * For git: the repository git would use there when it lies in the workspace but is not the workspace's own `.git`
   * (see `findPlantedGitDirectory`), relative to the workspace. Its configuration may have been written by the
   * model and can run programs, so git there is never allowed without asking.
   */
  plantedGitDirectory?: string;
  /**
   * For a program named without a path: the file PATH finds for it, relative to the workspace, when it lies there
   * (a PATH entry inside the workspace, such as a virtualenv's `bin` or direnv's `PATH_add bin`, or a relative
   * one). What the command policy vets by name is the system's program, not a file a model may have written.
   */
  programInWorkspace?: string;
}

/**
 * Rules applied after the configured ones: privilege escalation and disk-wiping programs are refused, pushes,
 * deletions and programs that run other programs ask. For git they are matched against the arguments after git's
 * own options (`git -c x=y push --force` is a force push). What may run without asking is not a rule here but a
 * vetting of the arguments (see {@link evaluateCommandPolicy}); everything else falls to the default decision.
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
    // They run the program named in their arguments, which would slip past every rule above.
    program: '{env,nice,nohup,timeout,xargs,time,stdbuf,command,exec,busybox,setsid,unbuffer,watch,parallel}',
    decision: 'ask',
    reason: 'it runs another program given in its arguments',
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

/** Git's own options that take their value as the next argument (`git -C dir`, `git -c name=value`). */
const gitOptionsWithValue = new Set([
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--config-env',
  '--super-prefix',
  '--attr-source',
]);

/** The arguments of a git invocation from its subcommand on, past git's own options. */
function gitSubcommandArguments(args: readonly string[]): readonly string[] {
  let index = 0;
  while (index < args.length && args[index]!.startsWith('-') && args[index] !== '--') {
    index += gitOptionsWithValue.has(args[index]!) ? 2 : 1;
  }
  return args.slice(index);
}

const verdictOf = (rule: CommandRule): CommandPolicyVerdict => ({
  decision: rule.decision,
  rule: `${rule.program}${rule.args ? ` ${rule.args.join('|')}` : ''}`,
  reason: rule.reason ?? `the rule for '${rule.program}' says ${rule.decision}`,
});

/** The vetting of a program that may run without asking, or undefined when the program is not one of them. */
function vetForAllow(
  program: string,
  args: readonly string[],
  context: CommandPolicyContext,
): VettingResult | undefined {
  // Only a bare name: '/tmp/evil/git' is not git.
  if (program.includes('/')) return undefined;
  const vetting = program === 'git' ? vetReadOnlyGit(args, context) : vetHarmlessUtility(program, args);
  if (vetting && context.programInWorkspace !== undefined) {
    return {
      allowed: false,
      why: `'${program}' on the command's PATH is ${context.programInWorkspace.slice(0, 200)}, a file in the workspace rather than the system's ${program}`,
    };
  }
  return vetting;
}

/**
 * Decides allow, ask or deny for an argv: the configured rules first (arguments matched joined by single spaces, so
 * `push *` matches `git push origin main`), then {@link builtinCommandRules}, then the vetted read-only commands:
 * read-only git (an explicit list of subcommands and of the options each may take, see `vetReadOnlyGit`) and
 * harmless utilities (`ls`, `echo`, `date` without `-f`...) are allowed when every argument is one that cannot write
 * a file, read one Herd's jail would refuse, or run a program. Anything else gets the default decision, and the
 * reason says why a known program's arguments kept it from being allowed.
 */
export function evaluateCommandPolicy(options: {
  argv: readonly string[];
  rules?: readonly CommandRule[];
  defaultDecision?: CommandDecision;
  /** Where the command runs; without it, `git diff` is treated as outside a repository (it asks). */
  context?: CommandPolicyContext;
}): CommandPolicyVerdict {
  const { argv, rules = [], defaultDecision = 'ask', context = {} } = options;
  const [program = '', ...args] = argv;
  for (const rule of rules) {
    if (programMatches(rule, program) && argsMatch(rule, args)) return verdictOf(rule);
  }
  const isGit = path.basename(program) === 'git';
  const builtinArgs = isGit ? gitSubcommandArguments(args) : args;
  for (const rule of builtinCommandRules) {
    if (programMatches(rule, program) && argsMatch(rule, builtinArgs)) return verdictOf(rule);
  }
  const vetting = vetForAllow(program, args, context);
  if (vetting?.allowed) {
    return {
      decision: 'allow',
      rule: program === 'git' ? 'read-only git' : 'harmless utility',
      reason: `${vetting.what} with these arguments only reads and prints`,
    };
  }
  if (vetting) {
    // Specific enough that "allow always" for `git log --output=x` does not allow every other git command.
    const subject = isGit ? `git ${builtinArgs[0] ?? ''}`.trim() : program;
    return {
      decision: defaultDecision,
      rule: `${subject} (arguments not vetted)`,
      reason: `${vetting.why}, so the default decision (${defaultDecision}) applies`,
    };
  }
  return {
    decision: defaultDecision,
    rule: 'default',
    reason: `no rule matches '${path.basename(program)}', so the default decision (${defaultDecision}) applies`,
  };
}
