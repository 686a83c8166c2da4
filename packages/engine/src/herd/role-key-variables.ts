import { type LoadedHerdConfig, type ResolvedHerdRoles, resolveHerdRoles } from '@herd/core';

/** Every environment variable a configured role reads its API key from, so their values are redacted too. */
export function roleKeyVariables(roles: ResolvedHerdRoles): string[] {
  const endpoints = [roles.planner, roles.actor, ...(roles.guard.llamaGuard ? [roles.guard.llamaGuard] : [])];
  return [
    ...new Set(
      endpoints.flatMap((role) => [role.apiKeyEnv, ...role.fallbacks.map((fallback) => fallback.apiKeyEnv)]),
    ),
  ];
}

/** The key variables of a configuration's roles, or none when it names no usable endpoint yet. */
export function configuredKeyVariables(loaded: LoadedHerdConfig, env: NodeJS.ProcessEnv): string[] {
  try {
    return roleKeyVariables(
      resolveHerdRoles({ config: loaded.config, baseDirectory: loaded.baseDirectory, env }),
    );
  } catch {
    return [];
  }
}
