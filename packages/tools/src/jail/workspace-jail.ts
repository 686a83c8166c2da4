import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '@herd/core';
import picomatch from 'picomatch';
import { PathDeniedError } from '../errors/path-denied-error.js';
import { controlPathRefusal } from './control-path-refusal.js';
import { defaultDenyGlobs } from './default-deny-globs.js';
import { foldPath } from './fold-path.js';
import { openWorkspaceDirectory } from './open-workspace-directory.js';
import type { PinnedDirectory } from './pinned-directory.js';

/** Whether a path is resolved to be read (or listed) or to be written. */
export type PathIntent = 'read' | 'write';

/** A path the jail accepted. */
export interface ResolvedPath {
  /** Absolute path with every symlink resolved; always inside the workspace root. */
  absolute: string;
  /** Path relative to the workspace root, with `/` separators (`.` for the root itself). */
  relative: string;
  /** Whether something exists at the path right now. */
  exists: boolean;
}

/** Options for {@link createWorkspaceJail}. */
export interface WorkspaceJailOptions {
  /** The workspace root; must be an existing directory. */
  root: string;
  /** Extra deny globs, relative to the root. A glob without `/` matches in any directory. */
  deny?: readonly string[];
  /** Keep {@link defaultDenyGlobs}. Default true. */
  defaultDeny?: boolean;
}

/** The boundary every model-given path passes through. */
export interface WorkspaceJail {
  /** The workspace root with symlinks resolved. */
  readonly root: string;
  /**
   * Resolves a model-given path to a real path inside the workspace.
   *
   * @throws PathDeniedError naming the rule when the path escapes, is special, is denied, or writes into `.git/`.
   */
  resolve(options: { path: string; intent: PathIntent }): Promise<ResolvedPath>;
  /**
   * Resolves and opens a path for reading without following a symlink swapped in after resolution, and checks the
   * opened file is a regular file or directory inside the workspace.
   */
  openForRead(filePath: string): Promise<{ handle: FileHandle; resolved: ResolvedPath; stats: Stats }>;
  /**
   * Opens and holds the workspace folder at a relative path the jail already accepted (creating missing folders
   * with `create`), checked to be the folder at that path: names looked up through it stay in that folder whatever
   * is renamed or swapped on the way afterwards. Writes go through it; close it when done.
   *
   * @throws PathDeniedError `symlink_escape` when the path changed after the check; the system error `ENOENT`
   *   when the folder is missing and `create` is false.
   */
  openDirectory(options: { relative: string; path: string; create?: boolean }): Promise<PinnedDirectory>;
  /**
   * Checks an open handle really lives inside the workspace, at a path the jail lets be read (defends against
   * folders swapped for links between check and use).
   */
  assertHandleInside(options: { handle: FileHandle; path: string }): Promise<void>;
  /** The deny glob that matches a workspace-relative path, if any. */
  deniedBy(relativePath: string): string | undefined;
  /** The workspace-relative form (with `/`) of an absolute path inside the root. */
  toRelative(absolutePath: string): string;
}

const specialFileMessage = (shown: string, stats: Stats): string => {
  const kind = stats.isFIFO()
    ? 'a FIFO'
    : stats.isSocket()
      ? 'a socket'
      : stats.isCharacterDevice()
        ? 'a character device'
        : 'a block device';
  return `The path '${shown}' is ${kind}, which tools never read or write; use a regular file.`;
};

const isInside = (root: string, candidate: string): boolean => {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
};

/** Where a path really leads, following dangling symlink chains and missing components. */
const realLocation = async (candidate: string, depth = 0): Promise<string> => {
  try {
    return await realpath(candidate);
  } catch {
    if (depth > 40) return candidate;
  }
  const stats = await lstat(candidate).catch(() => undefined);
  if (stats?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(candidate), await readlink(candidate));
    return realLocation(target, depth + 1);
  }
  const parent = path.dirname(candidate);
  if (parent === candidate) return candidate;
  return path.join(await realLocation(parent, depth + 1), path.basename(candidate));
};

/** The longest name, and the longest whole path, the system opens, in bytes. */
const longestNameBytes = 255;
const longestPathBytes = process.platform === 'darwin' ? 1023 : 4095;

/**
 * Refuses a path the system could not open (ENAMETOOLONG), with the limit in the message rather than a system error
 * naming `/proc/self/fd` paths: a name over 255 bytes, or a whole path over PATH_MAX (a command can build folders
 * deeper than that, relative step by relative step).
 */
function assertOpenableLength(options: { shown: string; lexical: string; relative: string }): void {
  const { shown, lexical, relative } = options;
  const name = relative.split('/').find((part) => Buffer.byteLength(part) > longestNameBytes);
  if (name !== undefined) {
    throw new PathDeniedError({
      path: shown,
      rule: 'invalid_path',
      message: `The name '${name.slice(0, 40)}…' in '${shown}' is ${Buffer.byteLength(name)} bytes long; file systems take names of ${longestNameBytes} bytes at most. Use a shorter name.`,
    });
  }
  const bytes = Buffer.byteLength(lexical);
  if (bytes > longestPathBytes) {
    throw new PathDeniedError({
      path: shown,
      rule: 'invalid_path',
      message: `The path '${shown}' is ${bytes} bytes long inside the workspace; this system opens paths of ${longestPathBytes} bytes at most. Use a shorter path (a command can reach deeper folders step by step with cd).`,
    });
  }
}

const toPosix = (relative: string): string => (relative === '' ? '.' : relative.split(path.sep).join('/'));

/**
 * Creates the workspace jail: every path a model gives is resolved with symlinks followed and must stay inside
 * the root; device files, FIFOs and sockets are refused, writes into `.git/` are refused, and deny globs (with
 * safe defaults for secrets) refuse reads and writes. Errors name the rule that refused.
 *
 * @throws UserError when the root is not an existing directory.
 * @example
 * const jail = await createWorkspaceJail({ root: process.cwd() });
 * const { absolute } = await jail.resolve({ path: 'src/index.ts', intent: 'read' });
 */
export async function createWorkspaceJail(options: WorkspaceJailOptions): Promise<WorkspaceJail> {
  const givenRoot = path.resolve(options.root);
  let root: string;
  try {
    root = await realpath(givenRoot);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new UserError({
      code: 'workspace_invalid',
      message: `The workspace '${options.root}' is not an existing directory; pass the repository folder.`,
      cause: error,
    });
  }
  // Paths are compared in NFC (see foldPath), so a glob typed in another form (macOS keyboards give NFD) is too.
  const globs = [...(options.defaultDeny === false ? [] : defaultDenyGlobs), ...(options.deny ?? [])].map(
    (glob) => (glob.includes('/') ? glob : `**/${glob}`).normalize('NFC'),
  );
  // Globs compare folded names without case, so `.ENV` or `ID_RSA` on a case-insensitive file system is refused too.
  const matchers = globs.map((glob) => ({ glob, test: picomatch(glob, { dot: true, nocase: true }) }));

  const deniedBy = (relativePath: string): string | undefined => {
    if (relativePath === '.' || relativePath === '') return undefined;
    const folded = foldPath(relativePath);
    return matchers.find((matcher) => matcher.test(folded))?.glob;
  };

  const deny = (
    shown: string,
    rule: ConstructorParameters<typeof PathDeniedError>[0]['rule'],
    message: string,
  ) => new PathDeniedError({ path: shown, rule, message });

  const resolve = async ({
    path: input,
    intent,
  }: {
    path: string;
    intent: PathIntent;
  }): Promise<ResolvedPath> => {
    const shown = JSON.stringify(input).slice(1, -1).slice(0, 200);
    if (typeof input !== 'string' || input.length === 0 || input.includes('\0')) {
      throw deny(
        shown,
        'invalid_path',
        `The path '${shown}' is empty or contains a NUL byte; give a relative path.`,
      );
    }
    // Backslashes count as separators so `..\\..\\etc` cannot pass as one odd file name.
    const normalized = input.replaceAll('\\', '/');
    let lexical = path.resolve(root, normalized);
    if (path.isAbsolute(normalized) && isInside(givenRoot, lexical) && !isInside(root, lexical)) {
      lexical = path.join(root, path.relative(givenRoot, lexical));
    }
    if (!isInside(root, lexical)) {
      throw deny(
        shown,
        'outside_workspace',
        `The path '${shown}' resolves outside the workspace ${root}; use a path relative to the workspace root.`,
      );
    }
    const lexicalRelative = toPosix(path.relative(root, lexical));
    assertOpenableLength({ shown, lexical, relative: lexicalRelative });

    // Walk down from the root so a symlink in any intermediate directory is resolved and checked.
    const segments = lexicalRelative === '.' ? [] : lexicalRelative.split('/');
    let current = root;
    let exists = true;
    let index = 0;
    for (; index < segments.length; index += 1) {
      const next = path.join(current, segments[index]!);
      let stats: Stats;
      try {
        stats = await lstat(next);
      } catch {
        exists = false;
        break;
      }
      if (stats.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(next);
        } catch {
          // A dangling link: judge where it would point, since a write through it would create that file.
          target = await realLocation(next);
          exists = false;
        }
        if (!isInside(root, target)) {
          throw deny(
            shown,
            'symlink_escape',
            `The path '${shown}' goes through the symlink '${toPosix(path.relative(root, next))}', which points outside the workspace; use a path whose real location is inside it.`,
          );
        }
        current = target;
        if (!exists) {
          index += 1;
          break;
        }
      } else {
        current = next;
      }
    }
    const absolute = path.join(current, ...segments.slice(index));
    if (!isInside(root, absolute)) {
      throw deny(
        shown,
        'symlink_escape',
        `The path '${shown}' resolves outside the workspace through a symlink.`,
      );
    }
    const relative = toPosix(path.relative(root, absolute));

    for (const candidate of new Set([lexicalRelative, relative])) {
      const refusal = controlPathRefusal({ relative: candidate, intent, shown });
      if (refusal) throw deny(shown, refusal.rule, refusal.message);
      const glob = deniedBy(candidate);
      if (glob) {
        throw deny(
          shown,
          'deny_glob',
          `The path '${shown}' matches the deny rule '${glob}' (secrets and credentials are off limits); work on other files.`,
        );
      }
    }

    if (exists) {
      const stats = await stat(absolute).catch(() => undefined);
      if (stats && !stats.isFile() && !stats.isDirectory()) {
        throw deny(shown, 'special_file', specialFileMessage(shown, stats));
      }
      if (!stats) exists = false;
    }
    return { absolute, relative, exists };
  };

  const assertHandleInside = async ({ handle, path: shown }: { handle: FileHandle; path: string }) => {
    // /proc/self/fd names the file actually opened, whatever was swapped in since resolution.
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (opened === undefined) return;
    if (!isInside(root, opened)) {
      throw deny(
        shown,
        'symlink_escape',
        `The path '${shown}' changed into a link outside the workspace while it was being opened; it was refused.`,
      );
    }
    // A folder swapped for a symlink to another folder inside the workspace (`.git`, say) leads to a file the
    // path never named: the file really opened is judged by the same rules as the path.
    const relative = toPosix(path.relative(root, opened));
    const swappedTo = `The path '${shown}' led to '${relative}' through a folder swapped for a link`;
    const refusal = controlPathRefusal({ relative, intent: 'read', shown: relative });
    if (refusal) throw deny(shown, refusal.rule, `${swappedTo}: ${refusal.message}`);
    const glob = deniedBy(relative);
    if (glob)
      throw deny(shown, 'deny_glob', `${swappedTo}, which matches the deny rule '${glob}'; it was refused.`);
  };

  const openForRead = async (filePath: string) => {
    const resolved = await resolve({ path: filePath, intent: 'read' });
    let handle: FileHandle;
    try {
      handle = await open(
        resolved.absolute,
        constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      );
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') {
        throw deny(
          filePath,
          'symlink_escape',
          `The path '${filePath}' was swapped for a symlink after it was checked; it was refused.`,
        );
      }
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile() && !stats.isDirectory())
        throw deny(filePath, 'special_file', specialFileMessage(filePath, stats));
      await assertHandleInside({ handle, path: filePath });
      return { handle, resolved, stats };
    } catch (error) {
      await handle.close();
      throw error;
    }
  };

  return {
    root,
    resolve,
    openForRead,
    assertHandleInside,
    openDirectory: ({ relative, path: shown, create }) =>
      openWorkspaceDirectory({ root, relative, shown, ...(create === undefined ? {} : { create }) }),
    deniedBy,
    toRelative: (absolutePath: string) => toPosix(path.relative(root, absolutePath)),
  };
}
