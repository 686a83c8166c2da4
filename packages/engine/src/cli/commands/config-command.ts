import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ConfigError,
  checkConfigTrust,
  configTrustNeedsPerson,
  describeConfigTrust,
  describeConfigWeakenings,
  type GuardClassifierCoverage,
  HerdError,
  type LoadedHerdConfig,
  type ResolvedHerdRoles,
  type ResolvedModelEndpoint,
  type ResolvedModelRole,
  recordConfigTrust,
  resolveHerdRoles,
} from '@herd/core';
// Types only: the guard package is loaded when the command runs.
import type { PromptGuardLocation } from '@herd/guard';
import { createSecretsRedactor } from '@herd/guard/secrets';
import type { Command } from 'commander';
import { loadConfigSectionJudges } from '../../settings/config-section-judges.js';
import { loadWorkspaceConfig } from '../../settings/load-workspace-config.js';
import { plannerPackBudget } from '../../settings/planner-pack-budget.js';
import { parseRunSettings } from '../../settings/run-settings.js';
import { parseWorkspaceArgument } from '../arguments/workspace-argument.js';
import { exitCodes } from '../report-cli-error.js';

/**
 * Registers `herd config check` (validates the configuration and prints the resolved roles without secrets) and
 * `herd config trust` (records the configuration file as the one a person runs Herd with here).
 */
export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('Inspect Herd configuration');
  config
    .command('check')
    .description(
      'Validate herd.config.json and the environment; print each role as resolved (never a key value)',
    )
    .option('-w, --workspace <dir>', 'repository (default: the current directory)', parseWorkspaceArgument)
    .option('--json', 'print the resolved roles as JSON')
    .action(async (options: { workspace?: string; json?: boolean }) => {
      const workspace = resolve(options.workspace ?? process.cwd());
      // Loaded here, not at start: other commands do not need the whole guard package.
      const { locatePromptGuard } = await import('@herd/guard');
      // Every section is validated in one pass, by the package that owns it, so every mistake shows at once.
      const loaded = await loadWorkspaceConfig({ cwd: workspace });
      const { roles, problems: roleProblems, finding } = resolveRoles(loaded);
      const promptGuard = locatePromptGuard({ config: loaded.config, baseDirectory: loaded.baseDirectory });
      const classifiers = roles ? guardCoverage(roles, promptGuard) : undefined;
      const trust = checkConfigTrust({ loaded, workspace, judges: await loadConfigSectionJudges() });
      const problems = [
        ...roleProblems,
        ...(roles ? [...findProblems(roles), ...reserveProblems(loaded.config.run, roles)] : []),
        ...(promptGuard.kind === 'broken'
          ? [{ code: 'prompt_guard_model_broken', message: promptGuard.reason }]
          : []),
      ];
      const findings = [
        ...(finding ? [finding] : []),
        ...(configTrustNeedsPerson(trust)
          ? [`${describeConfigTrust(trust)}; review it, then \`herd config trust\` accepts it.`]
          : trust.weakenings.length > 0
            ? [
                `${trust.file} weakens Herd (${trust.personal ? 'your own file, named outside the repository' : 'accepted by a person'}): ${describeConfigWeakenings(trust.weakenings)}.`,
              ]
            : []),
      ];
      // Base URLs may carry credentials (https://user:password@host): what is printed is redacted.
      const redactor = createSecretsRedactor({ extraNames: roles ? keyNames(roles) : [] });
      if (options.json) {
        const report = redactor.redactValue({
          file: loaded.file ?? null,
          roles: roles ?? null,
          guard: classifiers ? { classifiers } : null,
          trust: trust.status,
          weakenings: trust.weakenings,
          findings,
          problems,
        });
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        process.stdout.write(
          redactor.redact(renderRoles({ file: loaded.file, roles, classifiers, problems, findings })),
        );
      }
      if (problems.length > 0) {
        const hints = [...new Set(problems.flatMap((problem) => (problem.hint ? [problem.hint] : [])))];
        throw new ConfigError({
          source: loaded.file ?? 'environment',
          code: problems[0]!.code,
          message: `The configuration is not usable yet: ${problems.map((problem) => problem.message).join(' ')}`,
          ...(hints.length > 0 ? { hint: hints.join(' ') } : {}),
        });
      }
      process.exitCode = exitCodes.success;
    });
  config
    .command('trust')
    .description(
      'Accept herd.config.json as it is now: runs use a configuration that changed since a person last ran Herd with it, or that weakens Herd, only once accepted',
    )
    .option('-w, --workspace <dir>', 'repository (default: the current directory)', parseWorkspaceArgument)
    .action(async (options: { workspace?: string }) => {
      const workspace = resolve(options.workspace ?? process.cwd());
      const loaded = await loadWorkspaceConfig({ cwd: workspace });
      const trust = checkConfigTrust({ loaded, workspace, judges: await loadConfigSectionJudges() });
      recordConfigTrust(trust, { person: true });
      const weakens =
        trust.weakenings.length > 0
          ? `  it weakens Herd, as you accept:\n${trust.weakenings.map((weakening) => `    ${weakening.path}: ${weakening.what}\n`).join('')}`
          : '';
      process.stdout.write(
        trust.file
          ? `trusted ${trust.file} (sha256 ${trust.sha256?.slice(0, 12)}) for runs in ${trust.scope}\n${weakens}`
          : `no configuration file here; runs in ${trust.scope} use the environment and defaults\n`,
      );
      process.exitCode = exitCodes.success;
    });
}

/**
 * The roles, or why there are none: no endpoint at all is a finding (read-only commands work without one, and
 * the message says how to configure one); any other role problem is a problem.
 */
function resolveRoles(loaded: LoadedHerdConfig): {
  roles: ResolvedHerdRoles | undefined;
  problems: Problem[];
  finding: string | undefined;
} {
  try {
    return {
      roles: resolveHerdRoles({ config: loaded.config, baseDirectory: loaded.baseDirectory }),
      problems: [],
      finding: undefined,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (error.code === 'no_provider') return { roles: undefined, problems: [], finding: error.message };
    return {
      roles: undefined,
      problems: [{ code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }],
      finding: undefined,
    };
  }
}

interface Problem {
  code: string;
  message: string;
  /** What else to try, when the section's parser said. */
  hint?: string;
}

function endpointsOf(roles: ResolvedHerdRoles): ResolvedModelEndpoint[] {
  const roleList = [roles.planner, roles.actor, ...(roles.guard.llamaGuard ? [roles.guard.llamaGuard] : [])];
  return roleList.flatMap((role) => [role, ...role.fallbacks]);
}

/** Every key variable the configuration reads, so their values are redacted whatever their names. */
function keyNames(roles: ResolvedHerdRoles): string[] {
  return [...new Set(endpointsOf(roles).map((endpoint) => endpoint.apiKeyEnv))];
}

function findProblems(roles: ResolvedHerdRoles): Problem[] {
  const problems: Problem[] = [];
  const endpoints: Array<[string, ResolvedModelEndpoint]> = [
    ['planner', roles.planner],
    ['actor', roles.actor],
    ...(roles.guard.llamaGuard
      ? ([['guard.llamaGuard', roles.guard.llamaGuard]] as Array<[string, ResolvedModelEndpoint]>)
      : []),
  ];
  for (const [name, endpoint] of endpoints) {
    if (endpoint.requiresApiKey && !process.env[endpoint.apiKeyEnv]) {
      problems.push({
        code: 'api_key_missing',
        message: `${name} on '${endpoint.provider}' needs ${endpoint.apiKeyEnv}; export it before running Herd.`,
      });
    }
  }
  const promptGuard = roles.guard.promptGuard;
  if (promptGuard && !existsSync(promptGuard.modelPath)) {
    problems.push({
      code: 'model_path_missing',
      message: `guard.promptGuard.modelPath ${promptGuard.modelPath} does not exist; point it at a directory with model.onnx, tokenizer.json and config.json.`,
    });
  }
  return problems;
}

/** A run packs the repository into the planner's window less the output reserve; nothing must be left over. */
function reserveProblems(run: unknown, roles: ResolvedHerdRoles): Problem[] {
  let reserve: number | undefined;
  try {
    reserve = parseRunSettings(run).outputReserve;
  } catch {
    // Already reported with the run section's own problems.
    return [];
  }
  try {
    plannerPackBudget({
      contextWindow: roles.planner.contextWindow,
      outputReserve: reserve,
      maxOutputTokens: roles.planner.maxOutputTokens,
    });
    return [];
  } catch (error) {
    const herdError = HerdError.find(error);
    if (!herdError) throw error;
    return [{ code: herdError.code, message: herdError.message }];
  }
}

function keyStatus(endpoint: ResolvedModelEndpoint): string {
  if (process.env[endpoint.apiKeyEnv]) return `${endpoint.apiKeyEnv} (set)`;
  return endpoint.requiresApiKey ? `${endpoint.apiKeyEnv} (MISSING)` : 'no key needed';
}

function describeEndpoint(endpoint: ResolvedModelEndpoint): string {
  return [
    `${endpoint.provider} ${endpoint.model}`,
    `    url ${endpoint.baseUrl}`,
    `    window ${endpoint.contextWindow.toLocaleString('en-US')} tokens, max output ${endpoint.maxOutputTokens.toLocaleString('en-US')}, tool calls ${endpoint.toolCalling}, images ${endpoint.images ? 'yes' : 'no'}`,
    `    key ${keyStatus(endpoint)}`,
  ].join('\n');
}

function describeRole(name: string, role: ResolvedModelRole): string {
  const lines = [
    `${name}: ${describeEndpoint(role)}`,
    `    temperature ${role.temperature}, timeout ${role.timeoutMs} ms, retries ${role.retries}`,
  ];
  role.fallbacks.forEach((fallback, index) => {
    lines.push(`  fallback ${index + 1}: ${describeEndpoint(fallback)}`);
  });
  return lines.join('\n');
}

/**
 * What each guard classifier will cover, from where and why. Prompt Guard's model is found, not loaded: `on` means
 * a model is there, and a run reports `failed` should it not load.
 */
function guardCoverage(
  roles: ResolvedHerdRoles,
  promptGuard: PromptGuardLocation,
): GuardClassifierCoverage[] {
  const llamaGuard = roles.guard.llamaGuardResolution;
  return [
    {
      name: 'prompt_guard',
      state:
        promptGuard.kind === 'broken'
          ? 'failed'
          : promptGuard.kind === 'configured' || promptGuard.kind === 'installed'
            ? 'on'
            : 'skipped',
      reason: promptGuard.reason,
    },
    { name: 'llama_guard', state: llamaGuard.role ? 'on' : 'skipped', reason: llamaGuard.reason },
  ];
}

function renderRoles(options: {
  file: string | undefined;
  roles: ResolvedHerdRoles | undefined;
  classifiers: GuardClassifierCoverage[] | undefined;
  problems: Problem[];
  findings: string[];
}): string {
  const { file, roles, classifiers, problems, findings } = options;
  const lines = [`configuration: ${file ?? 'no herd.config.json (environment and defaults)'}`];
  if (roles && classifiers) {
    const [promptGuard, llamaGuard] = classifiers as [GuardClassifierCoverage, GuardClassifierCoverage];
    const state = (classifier: GuardClassifierCoverage) =>
      classifier.state === 'on' ? 'on' : classifier.state.toUpperCase();
    lines.push(
      describeRole('planner', roles.planner),
      describeRole('actor', roles.actor),
      `guard.llamaGuard (Llama Guard 4): ${state(llamaGuard)} — ${llamaGuard.reason}`,
      ...(roles.guard.llamaGuard
        ? [
            `  ${describeRole(roles.guard.llamaGuardResolution.api === 'moderations' ? 'moderations' : 'chat', roles.guard.llamaGuard).replaceAll('\n', '\n  ')}`,
          ]
        : []),
      `guard.promptGuard (Prompt Guard 2): ${state(promptGuard)} — ${promptGuard.reason}`,
      ...(roles.guard.promptGuard && !existsSync(roles.guard.promptGuard.modelPath)
        ? [`  local ONNX at ${roles.guard.promptGuard.modelPath} (MISSING)`]
        : []),
    );
  } else if (problems.length === 0) {
    lines.push(
      'planner, actor: no model endpoint (sessions, undo, pack and guard work without one; runs need one)',
    );
  }
  for (const finding of findings) lines.push(`finding: ${finding}`);
  lines.push(problems.length === 0 ? 'ok: configuration is valid' : `${problems.length} problem(s) found`);
  return `${lines.join('\n')}\n`;
}
