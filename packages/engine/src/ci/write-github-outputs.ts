import { appendFileSync } from 'node:fs';
import { createSecretsRedactor } from '@herd/guard/secrets';
import type { CiReport } from './ci-report.js';

/** What `herd ci` tells a GitHub Actions workflow as step outputs (`steps.<id>.outputs.<name>`). */
export function githubOutputsOf(report: CiReport): Record<string, string> {
  return {
    'exit-code': String(report.exitCode),
    status: report.status,
    changed: String(report.changedFiles.length > 0),
    // "none" when no verification command ran, so a workflow can tell "not verified" from "failed".
    verified: report.verification === null ? 'none' : String(report.verification.passed),
    committed: String(report.commit !== null),
    branch: report.commit?.branch ?? '',
    commit: report.commit?.sha ?? '',
    patch: report.outputs.patch,
    summary: report.outputs.summary,
    report: report.outputs.report,
  };
}

/**
 * Inside GitHub Actions, writes the run's outcome as step outputs (to the file `GITHUB_OUTPUT` names) and adds the
 * summary to the job's page (`GITHUB_STEP_SUMMARY`); elsewhere it does nothing. Returns whether it wrote outputs.
 * Both are redacted as they are written: the job's page is public to everyone who can read the repository.
 */
export function writeGithubOutputs(options: {
  report: CiReport;
  summary: string;
  env?: NodeJS.ProcessEnv;
}): boolean {
  const env = options.env ?? process.env;
  const redactor = createSecretsRedactor({ env });
  if (env.GITHUB_STEP_SUMMARY)
    appendFileSync(env.GITHUB_STEP_SUMMARY, `${redactor.redact(options.summary).trimEnd()}\n`);
  if (!env.GITHUB_OUTPUT) return false;
  const lines = Object.entries(githubOutputsOf(options.report)).map(
    // Values are single lines (codes, flags, paths); a line break would start a new output, so none is let through.
    ([name, value]) => `${name}=${redactor.redact(value).replace(/[\r\n]+/g, ' ')}`,
  );
  appendFileSync(env.GITHUB_OUTPUT, `${lines.join('\n')}\n`);
  return true;
}
