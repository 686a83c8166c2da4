import { z } from 'zod';

/** What the command policy decides for a command: run it, ask a person first, or refuse. */
export const CommandDecisionSchema = z.enum(['allow', 'ask', 'deny']);
/** What the command policy decides for a command. */
export type CommandDecision = z.infer<typeof CommandDecisionSchema>;

/** One command policy rule: the first rule whose program and argument patterns match decides. */
export const CommandRuleSchema = z
  .object({
    /** Program name or glob (`git`, `npm`, `*`); matched against the basename of argv[0]. */
    program: z.string().min(1),
    /**
     * Optional glob patterns matched against the arguments joined by single spaces (`push *`, `*--force*`).
     * Omitted means any arguments.
     */
    args: z.array(z.string()).optional(),
    /** The decision when the rule matches. */
    decision: CommandDecisionSchema,
    /** Why the rule exists; shown to the model and the person approving. */
    reason: z.string().optional(),
  })
  .strict();
/** One command policy rule. */
export type CommandRule = z.infer<typeof CommandRuleSchema>;

/** Settings for `@herd/tools`: the `tools` section of `herd.config.json`. */
export const ToolsConfigSchema = z
  .object({
    /** The workspace jail. */
    jail: z
      .object({
        /** Extra deny globs (relative to the workspace, picomatch syntax) refused for reads and writes. */
        deny: z.array(z.string().min(1)).default([]),
        /** Keep the built-in deny globs (`.env*`, `*.pem`, SSH keys, credentials files). Default true. */
        defaultDeny: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** How `run_command` runs programs. */
    commands: z
      .object({
        /** Decision for a command no rule matches. Default `ask`. */
        defaultDecision: CommandDecisionSchema.default('ask'),
        /** Rules evaluated in order before the built-in ones; the first match decides. */
        rules: z.array(CommandRuleSchema).default([]),
        /** Milliseconds before the whole process tree is killed. Default 120000. */
        timeoutMs: z.number().int().positive().default(120_000),
        /** Bytes of stdout and of stderr kept (head and tail halves). Default 32768. */
        outputLimitBytes: z.number().int().positive().default(32_768),
        /** Extra environment variable names passed to children, beyond the built-in safe list. */
        envAllow: z.array(z.string().min(1)).default([]),
        /** Allow `shell: true` calls (a single string run by /bin/sh). Off by default. */
        allowShell: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** The bubblewrap sandbox for `run_command`. */
    sandbox: z
      .object({
        /**
         * `auto` uses bubblewrap when it works and otherwise runs unsandboxed and says so; `required` refuses to run
         * without it; `off` never uses it.
         */
        mode: z.enum(['auto', 'required', 'off']).default('auto'),
        /** Let sandboxed commands reach the network. Default false (network unshared). */
        network: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** `fetch_url`: HTTP GET of documentation pages. */
    fetchUrl: z
      .object({
        /** Offer the tool at all. Defaults to true outside CI and false when `CI` is set. */
        enabled: z.boolean().optional(),
        /** Host names allowed (exact, or `*.example.com` for subdomains). Empty means no host is allowed. */
        allowHosts: z.array(z.string().min(1)).default([]),
        /** Largest response body read, in bytes. Default 2 MB. */
        maxBytes: z.number().int().positive().default(2_000_000),
        /** Milliseconds before the request is aborted. Default 15000. */
        timeoutMs: z.number().int().positive().default(15_000),
        /** Characters of text returned to the model. Default 40000. */
        maxChars: z.number().int().positive().default(40_000),
      })
      .strict()
      .prefault({}),
    /** Checkpoints taken before write and exec tools. */
    checkpoints: z
      .object({
        /** Take checkpoints. Default true. */
        enabled: z.boolean().default(true),
        /**
         * Directory of the shadow git repository, outside the workspace (refused inside it); defaults to a folder per
         * workspace in the OS cache.
         */
        directory: z.string().optional(),
      })
      .strict()
      .prefault({}),
    /** `read_file`: largest file read, in bytes. Default 1 MB. */
    readLimitBytes: z.number().int().positive().default(1_000_000),
  })
  .strict();

/** The `tools` section as written in `herd.config.json`. */
export type ToolsConfigInput = z.input<typeof ToolsConfigSchema>;
/** The `tools` section, parsed with defaults applied. */
export type ToolsConfig = z.infer<typeof ToolsConfigSchema>;
