import type { WorkspaceJail } from '../jail/workspace-jail.js';
import { readAtMost } from './read-at-most.js';

/** Files larger than this are not read again to check a match (ripgrep itself skips files above 4 MB). */
const largestCheckedBytes = 8 * 1024 * 1024;

/** The lines of a file as ripgrep reads them, each with its line break: UTF-16 transcoded, a UTF-8 BOM dropped. */
function linesAsRipgrepReadsThem(bytes: Buffer): Buffer[] {
  let content = bytes;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    content = Buffer.from(new TextDecoder('utf-16le').decode(bytes.subarray(2)), 'utf8');
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    content = Buffer.from(new TextDecoder('utf-16be').decode(bytes.subarray(2)), 'utf8');
  } else if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    content = bytes.subarray(3);
  }
  const lines: Buffer[] = [];
  let start = 0;
  while (start < content.length) {
    const end = content.indexOf(10, start);
    const next = end === -1 ? content.length : end + 1;
    lines.push(content.subarray(start, next));
    start = next;
  }
  return lines;
}

/** Confirms one line ripgrep reported; made by {@link createRipgrepMatchCheck}. */
export type RipgrepMatchCheck = (match: {
  relative: string;
  line: number;
  bytes: Buffer;
}) => Promise<boolean>;

/**
 * Creates a check that a line ripgrep reported really is in the workspace file of that name. ripgrep walks by
 * name, so a folder swapped for a symlink to an outside folder while it runs makes it read outside files under
 * inside names. Each reported file is read again through the jail (opened without following symlinks and checked
 * to be inside the workspace), and a line is kept only when that file holds exactly the reported bytes there:
 * nothing read outside can be shown, neither its content nor its name. Files come one after another in
 * ripgrep's output, so only the last one read is kept.
 */
export function createRipgrepMatchCheck(jail: WorkspaceJail): RipgrepMatchCheck {
  let cached: { relative: string; lines: Promise<Buffer[] | undefined> } | undefined;
  const load = async (relative: string): Promise<Buffer[] | undefined> => {
    const opened = await jail.openForRead(relative).catch(() => undefined);
    if (!opened) return undefined;
    try {
      if (!opened.stats.isFile() || opened.stats.size > largestCheckedBytes) return undefined;
      // Never past the limit, even when the file grows after it was measured.
      const { bytes, complete } = await readAtMost(opened.handle, largestCheckedBytes);
      return complete ? linesAsRipgrepReadsThem(bytes) : undefined;
    } finally {
      await opened.handle.close();
    }
  };
  return async ({ relative, line, bytes }) => {
    if (cached?.relative !== relative) cached = { relative, lines: load(relative).catch(() => undefined) };
    const lines = await cached.lines;
    return lines?.[line - 1]?.equals(bytes) ?? false;
  };
}
