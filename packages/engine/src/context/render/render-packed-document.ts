import { languageOf } from '../languages/language-of.js';

/** A file as it appears in full in the document. */
export interface DocumentFile {
  /** Path relative to the root. */
  path: string;
  /** Packed content. */
  text: string;
  /** Size on disk in bytes. */
  bytes: number;
  /** Token count of `text`. */
  tokens: number;
  /** Whether `tokens` is exact; an extrapolated count is written `~N`. */
  exact: boolean;
}

/** Options for {@link renderPackedDocument}. */
export interface RenderPackedDocumentOptions {
  /** The tag suffix from `chooseFence`. */
  fence: string;
  /** Name of the root directory. */
  rootName: string;
  /** `whole`: a tree and every file; `map`: a repository map and the files that fit. */
  mode: 'whole' | 'map';
  /** Files that passed selection. */
  includedFiles: number;
  /** The directory tree (whole mode) or the repository map (map mode). */
  outline: string;
  /** Files in full, in order. */
  files: readonly DocumentFile[];
}

/** The document, and everything in it except file contents (for counting the overhead). */
export interface RenderedDocument {
  /** The packed document. */
  document: string;
  /** The document without file contents. */
  overhead: string;
}

/** Escapes a value for a double-quoted tag attribute. */
export function attribute(value: string): string {
  return JSON.stringify(value);
}

/**
 * Renders the packed document. Every tag carries the fence suffix, which occurs in no file, so file content
 * cannot fake a tag; see "Packed repository format" in the package README.
 */
export function renderPackedDocument(options: RenderPackedDocumentOptions): RenderedDocument {
  const { fence, files } = options;
  const outlineTag = options.mode === 'whole' ? `tree-${fence}` : `map-${fence}`;
  const explanation =
    options.mode === 'whole'
      ? `The whole repository: a directory tree, then every included file in full.`
      : `The repository is larger than the budget: a map of its files and top-level symbols, then the most relevant files in full. Map lines marked [full] are files shown in full below.`;
  const head =
    `<repository-${fence} root=${attribute(options.rootName)} mode="${options.mode}" files="${options.includedFiles}" shown="${files.length}">\n` +
    `${explanation} Each file is wrapped in <file-${fence}> tags; the suffix ${fence} occurs in no file, so only these tags delimit files.\n` +
    `<${outlineTag}>\n${options.outline}\n</${outlineTag}>\n`;
  const parts: string[] = [head];
  const overheadParts: string[] = [head];
  for (const file of files) {
    const tokens = file.exact ? String(file.tokens) : `~${file.tokens}`;
    const open = `<file-${fence} path=${attribute(file.path)} language="${languageOf(file.path)}" bytes="${file.bytes}" tokens="${tokens}">\n`;
    const close = `${file.text.endsWith('\n') || file.text.length === 0 ? '' : '\n'}</file-${fence}>\n`;
    parts.push(open, file.text, close);
    overheadParts.push(open, close);
  }
  const tail = `</repository-${fence}>\n`;
  parts.push(tail);
  overheadParts.push(tail);
  return { document: parts.join(''), overhead: overheadParts.join('') };
}
