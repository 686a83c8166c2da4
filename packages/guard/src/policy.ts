// The guard policy's parser and its configuration trust judge, on their own: `@herd/guard/policy` loads only these
// (and core), not the classifiers, so a front door can validate and judge `policy` without paying for the guard.
export { guardPolicyWeakenings } from './policy/guard-policy-weakenings.js';
export { parseGuardPolicy } from './policy/parse-guard-policy.js';
