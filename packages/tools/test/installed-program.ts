import { findHostProgram } from '@herd/core';

/** A workspace path no PATH entry lies in, for finding what the host has installed. */
const nowhere = '/nonexistent/herd-test-workspace';

/** Where the host's `name` is (as Herd would find it on PATH), or undefined when it is not installed. */
export async function installedProgram(name: string): Promise<string | undefined> {
  try {
    return (await findHostProgram(name, { workspace: nowhere })).executable;
  } catch {
    return undefined;
  }
}
