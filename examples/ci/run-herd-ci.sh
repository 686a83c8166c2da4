#!/bin/sh
# Runs the Herd CI bot from any CI system (GitLab CI, Jenkins, Buildkite, a cron job).
#
#   examples/ci/run-herd-ci.sh TASK_FILE [BRANCH]
#
# TASK_FILE holds the task (an issue body). On success the verified change is committed on BRANCH (default
# herd/ci-<time>), which starts at HEAD; the checked-out branch is left as it was. Set HERD_CI_PUSH=1 to push the
# branch to origin. The outputs are in .herd/ci/ (or $HERD_CI_OUTPUT): patch.diff, summary.md (a pull-request body)
# and report.json. The script exits with herd ci's exit code, so the job fails unless the change was made and verified.
# A herd.config.json that loosens Herd (sandbox off, commands allowed, a key sent elsewhere) is refused with exit 3:
# for a checkout whose configuration you reviewed, set HERD_CI_TRUST_WORKSPACE_CONFIG=1; for a merge request, set
# HERD_CONFIG to a configuration kept outside the repository instead.
set -u

task_file=${1:?usage: run-herd-ci.sh TASK_FILE [BRANCH]}
branch=${2:-herd/ci-$(date -u +%Y%m%d-%H%M%S)}
output=${HERD_CI_OUTPUT:-.herd/ci}

if [ "${HERD_CI_TRUST_WORKSPACE_CONFIG:-0}" = 1 ]; then
  set -- --trust-workspace-config
else
  set --
fi
herd ci --task-file "$task_file" --output-dir "$output" --commit --branch "$branch" "$@"
status=$?

case $status in
  0)
    if git rev-parse --verify --quiet "refs/heads/$branch" >/dev/null; then
      echo "herd-ci: succeeded (see $output/summary.md); the change is committed on $branch"
      if [ "${HERD_CI_PUSH:-0}" = 1 ]; then
        git push origin "$branch" || exit 3
      fi
    else
      echo "herd-ci: succeeded without changing anything (see $output/summary.md); no branch was made"
    fi
    ;;
  1) echo "herd-ci: verification failed; see $output/summary.md (the patch is in $output/patch.diff)" >&2 ;;
  2) echo "herd-ci: blocked by the guard or the policy; see the guard verdicts in $output/summary.md" >&2 ;;
  3) echo "herd-ci: configuration or provider error; see the message above" >&2 ;;
  4) echo "herd-ci: a run limit was reached (run.limits in herd.config.json)" >&2 ;;
  130) echo "herd-ci: cancelled; the outputs so far are in $output" >&2 ;;
  *) echo "herd-ci: herd ci exited with $status" >&2 ;;
esac
exit "$status"
