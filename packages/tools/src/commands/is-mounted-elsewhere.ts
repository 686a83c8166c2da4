import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const readlinkOrUndefined = (target: string): string | undefined => {
  try {
    return readlinkSync(target);
  } catch {
    return undefined;
  }
};

/** Undoes the octal escapes mountinfo writes in paths (`\040` for a space, `\012` for a newline). */
const unescapeMountPath = (field: string): string =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/**
 * Whether `target` is a mount point in a mount namespace other than this process's: one of the sandboxes of
 * another process (another Herd on the same workspace) has bound something over it. Every namespace is read once,
 * through the first process of it that can be looked at; processes of other users cannot be, and count as not
 * mounting anything. Removing such a path on the host would silently take the mount away inside that sandbox.
 */
export function isMountedElsewhere(target: string): boolean {
  const own = readlinkOrUndefined('/proc/self/ns/mnt');
  const seen = new Set<string>(own ? [own] : []);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const namespace = readlinkOrUndefined(`/proc/${entry}/ns/mnt`);
    if (!namespace || seen.has(namespace)) continue;
    let mountinfo: string;
    try {
      mountinfo = readFileSync(`/proc/${entry}/mountinfo`, 'utf8');
    } catch {
      continue;
    }
    seen.add(namespace);
    for (const line of mountinfo.split('\n')) {
      const mountPoint = line.split(' ')[4];
      if (mountPoint !== undefined && unescapeMountPath(mountPoint) === target) return true;
    }
  }
  return false;
}
