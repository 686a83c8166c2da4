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

/** The document's opening tag, explanation and outline: everything before the first file. */
export function documentHead(
  options: Omit<RenderPackedDocumentOptions, 'files'> & { shown: number },
): string {
  const { fence } = options;
  const outlineTag = options.mode === 'whole' ? `tree-${fence}` : `map-${fence}`;
  const explanation =
    options.mode === 'whole'
      ? `The whole repository: a directory tree, then every included file in full.`
      : `The repository is larger than the budget: a map of its files and top-level symbols, then the most relevant files in full. Map lines marked [full] are files shown in full below.`;
  return (
    `<repository-${fence} root=${attribute(options.rootName)} mode="${options.mode}" files="${options.includedFiles}" shown="${options.shown}">\n` +
    `${explanation} Each file is wrapped in <file-${fence}> tags; the suffix ${fence} occurs in no file, so only these tags delimit files.\n` +
    `<${outlineTag}>\n${options.outline}\n</${outlineTag}>\n`
  );
}

/** A file's opening tag, with its path, language, size and token count (`~N` when extrapolated). */
export function fileOpenTag(options: {
  fence: string;
  file: Pick<DocumentFile, 'path' | 'bytes' | 'tokens' | 'exact'>;
}): string {
  const { fence, file } = options;
  const tokens = file.exact ? String(file.tokens) : `~${file.tokens}`;
  return `<file-${fence} path=${attribute(file.path)} language="${languageOf(file.path)}" bytes="${file.bytes}" tokens="${tokens}">\n`;
}

/** A file's closing tag, on a line of its own: `endsLine` says whether the content is empty or ends a line. */
export function fileCloseTag(options: { fence: string; endsLine: boolean }): string {
  return `${options.endsLine ? '' : '\n'}</file-${options.fence}>\n`;
}

/** The document's closing tag. */
export function documentTail(fence: string): string {
  return `</repository-${fence}>\n`;
}

/**
 * Renders the packed document. Every tag carries the fence suffix, which occurs in no file, so file content
 * cannot fake a tag; see "Packed repository format" in the package README.
 */
export function renderPackedDocument(options: RenderPackedDocumentOptions): RenderedDocument {
  const { fence, files } = options;
  const head = documentHead({ ...options, shown: files.length });
  const parts: string[] = [head];
  const overheadParts: string[] = [head];
  for (const file of files) {
    const open = fileOpenTag({ fence, file });
    const close = fileCloseTag({ fence, endsLine: file.text.endsWith('\n') || file.text.length === 0 });
    parts.push(open, file.text, close);
    overheadParts.push(open, close);
  }
  const tail = documentTail(fence);
  parts.push(tail);
  overheadParts.push(tail);
  return { document: parts.join(''), overhead: overheadParts.join('') };
}
