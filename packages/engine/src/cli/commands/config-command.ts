import { existsSync } from 'node:fs';
import {
  ConfigError,
  type GuardClassifierCoverage,
  HerdError,
  loadHerdConfig,
  type ResolvedHerdRoles,
  type ResolvedModelEndpoint,
  type ResolvedModelRole,
  resolveHerdRoles,
} from '@herd/core';
// Types only: the guard package is loaded when the command runs.
import type { PromptGuardLocation } from '@herd/guard';
import type { Command } from 'commander';
import { plannerPackBudget } from '../../settings/planner-pack-budget.js';
import { parseRunSettings } from '../../settings/run-settings.js';
import { exitCodes } from '../report-cli-error.js';

/** Registers `herd config check`: validates the configuration and prints the resolved roles without secrets. */
export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('Inspect Herd configuration');
  config
    .command('check')
    .description(
      'Validate herd.config.json and the environment; print each role as resolved (never a key value)',
    )
    .option('--json', 'print the resolved roles as JSON')
    .action(async (options: { json?: boolean }) => {
      // Loaded here, not at start: other commands do not need the guard and tools packages.
      const [{ parseGuardPolicy, locatePromptGuard }, { parseToolsConfig }] = await Promise.all([
        import('@herd/guard'),
        import('@herd/tools'),
      ]);
      const loaded = loadHerdConfig();
      const roles = resolveHerdRoles({ config: loaded.config, baseDirectory: loaded.baseDirectory });
      const source = loaded.file ?? 'environment';
      const promptGuard = locatePromptGuard({ config: loaded.config, baseDirectory: loaded.baseDirectory });
      const classifiers = guardCoverage(roles, promptGuard);
      // The sections other packages own are validated by them, so `config check` catches every mistake at once.
      const sectionProblems = [
        () => parseRunSettings(loaded.config.run, source),
        () => parseToolsConfig(loaded.config.tools, source),
        () => parseGuardPolicy(loaded.config.policy, source),
      ].flatMap((parse) => {
        try {
          parse();
          return [];
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          return [{ code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }];
        }
      });
      const problems = [
        ...findProblems(roles),
        ...(promptGuard.kind === 'broken'
          ? [{ code: 'prompt_guard_model_broken', message: promptGuard.reason }]
          : []),
        ...sectionProblems,
        ...reserveProblems(loaded.config.run, roles),
      ];
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ file: loaded.file ?? null, roles, guard: { classifiers }, problems }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(renderRoles({ file: loaded.file, roles, classifiers, problems }));
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
}

interface Problem {
  code: string;
  message: string;
  /** What else to try, when the section's parser said. */
  hint?: string;
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
  let reserve: number;
  try {
    reserve = parseRunSettings(run).outputReserve;
  } catch {
    // Already reported with the run section's own problems.
    return [];
  }
  try {
    plannerPackBudget({ contextWindow: roles.planner.contextWindow, outputReserve: reserve });
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
  roles: ResolvedHerdRoles;
  classifiers: GuardClassifierCoverage[];
  problems: Problem[];
}): string {
  const { file, roles, classifiers, problems } = options;
  const [promptGuard, llamaGuard] = classifiers as [GuardClassifierCoverage, GuardClassifierCoverage];
  const state = (classifier: GuardClassifierCoverage) =>
    classifier.state === 'on' ? 'on' : classifier.state.toUpperCase();
  const lines = [
    `configuration: ${file ?? 'no herd.config.json (environment and defaults)'}`,
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
    problems.length === 0 ? 'ok: configuration is valid' : `${problems.length} problem(s) found`,
  ];
  return `${lines.join('\n')}\n`;
}
