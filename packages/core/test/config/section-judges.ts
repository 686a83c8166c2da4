import type { ConfigSectionJudges } from '../../src/config/config-weakening.js';

/**
 * Section judges for core's tests, which cannot load the packages that own `tools`, `policy` and `run` (they depend
 * on core): only the sandbox switch is judged, as `@herd/tools` judges it, so tests can make a configuration that
 * weakens Herd through a section as well as through core's own settings.
 */
export const sectionJudges: ConfigSectionJudges = {
  tools: (value) =>
    (value as { sandbox?: { mode?: string } } | undefined)?.sandbox?.mode === 'off'
      ? [{ path: 'tools.sandbox.mode', what: 'turns the command sandbox off: commands run unsandboxed' }]
      : [],
  policy: (value) => (value === 'off' ? [{ path: 'policy', what: 'switches the guard off' }] : []),
  run: () => [],
};
