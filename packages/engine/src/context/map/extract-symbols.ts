import { createRequire } from 'node:module';
import { Language, type Node, Parser } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

// Grammars from @vscode/tree-sitter-wasm, built by tree-sitter CLI 0.25 (ABI 14/15) like web-tree-sitter 0.25.
// C is read with the C++ grammar, which parses C declarations as well.
const grammarByLanguage: Record<string, string> = {
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
  rust: 'tree-sitter-rust.wasm',
  java: 'tree-sitter-java.wasm',
  c: 'tree-sitter-cpp.wasm',
  cpp: 'tree-sitter-cpp.wasm',
};

// Top-level nodes that declare something worth listing.
const declarations = new Set([
  // TypeScript and JavaScript
  'function_declaration',
  'generator_function_declaration',
  'class_declaration',
  'abstract_class_declaration',
  'interface_declaration',
  'type_alias_declaration',
  'enum_declaration',
  'lexical_declaration',
  'variable_declaration',
  'export_statement',
  'module',
  'internal_module',
  'ambient_declaration',
  // Python
  'function_definition',
  'class_definition',
  'decorated_definition',
  // Go
  'method_declaration',
  'type_declaration',
  'const_declaration',
  // Rust
  'function_item',
  'struct_item',
  'enum_item',
  'union_item',
  'trait_item',
  'impl_item',
  'type_item',
  'mod_item',
  'const_item',
  'static_item',
  'macro_definition',
  // Java
  'record_declaration',
  'annotation_type_declaration',
  // C and C++
  'declaration',
  'type_definition',
  'struct_specifier',
  'class_specifier',
  'enum_specifier',
  'union_specifier',
  'template_declaration',
  'preproc_function_def',
]);
// Nodes whose children are top-level declarations too.
const containers = new Set([
  'namespace_definition',
  'preproc_ifdef',
  'preproc_if',
  'preproc_else',
  'linkage_specification',
  'declaration_list',
  'package_declaration',
]);
// Members listed under a class, trait or impl.
const members = new Set([
  'method_definition',
  'method_signature',
  'abstract_method_signature',
  'function_definition',
  'method_declaration',
  'constructor_declaration',
  'function_item',
  'function_signature_item',
]);
const maximumMembers = 24;
const maximumSignature = 160;

/** Extracts top-level symbols (signatures of functions, classes, types, exports) from source files. */
export interface SymbolExtractor {
  /** Signature lines of the file's top-level symbols, members indented by two spaces; [] when none or unknown. */
  extract(options: { language: string; text: string }): string[];
}

let parserReady: Promise<void> | undefined;
const languages = new Map<string, Promise<Language | undefined>>();

/**
 * Loads the tree-sitter runtime and creates a {@link SymbolExtractor}. Grammars load on first use; a grammar
 * that fails to load leaves its files without symbols rather than failing the pack.
 */
export async function createSymbolExtractor(options: {
  languages: Iterable<string>;
}): Promise<SymbolExtractor> {
  parserReady ??= Parser.init();
  await parserReady;
  const parsers = new Map<string, Parser>();
  for (const language of new Set(options.languages)) {
    const grammar = grammarByLanguage[language];
    if (!grammar) continue;
    let loading = languages.get(grammar);
    if (!loading) {
      loading = Language.load(require.resolve(`@vscode/tree-sitter-wasm/wasm/${grammar}`)).catch(
        () => undefined,
      );
      languages.set(grammar, loading);
    }
    const loaded = await loading;
    if (!loaded) continue;
    const parser = new Parser();
    parser.setLanguage(loaded);
    parsers.set(language, parser);
  }
  return {
    extract({ language, text }) {
      if (language === 'markdown') return markdownHeadings(text);
      const parser = parsers.get(language);
      if (!parser) return [];
      const tree = parser.parse(text);
      if (!tree) return [];
      try {
        const lines: string[] = [];
        collect({ node: tree.rootNode, text, lines });
        return lines;
      } finally {
        tree.delete();
      }
    },
  };
}

function collect(options: { node: Node; text: string; lines: string[] }): void {
  for (const child of options.node.namedChildren) {
    if (!child) continue;
    if (containers.has(child.type)) {
      collect({ ...options, node: child });
      continue;
    }
    const isExpressionExport =
      child.type === 'expression_statement' && /^(module\.)?exports\b/.test(child.text.slice(0, 20));
    if (!declarations.has(child.type) && !isExpressionExport) continue;
    options.lines.push(signatureOf(child, options.text));
    const body = bodyOf(child);
    if (!body) continue;
    let listed = 0;
    for (const member of body.namedChildren) {
      if (!member) continue;
      const inner = member.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
      if (!inner || !members.has(inner.type)) continue;
      if (listed++ === maximumMembers) {
        options.lines.push('  …');
        break;
      }
      options.lines.push(`  ${signatureOf(inner, options.text)}`);
    }
  }
}

function bodyOf(node: Node): Node | null {
  const declared =
    node.type === 'export_statement' ||
    node.type === 'decorated_definition' ||
    node.type === 'template_declaration'
      ? (node.childForFieldName('declaration') ?? node.childForFieldName('definition') ?? node.lastNamedChild)
      : node;
  if (!declared) return null;
  const isClassLike = /class|interface|trait|impl|struct|enum|record/.test(declared.type);
  return isClassLike ? declared.childForFieldName('body') : null;
}

function signatureOf(node: Node, text: string): string {
  const declared =
    node.type === 'export_statement' || node.type === 'decorated_definition'
      ? (node.childForFieldName('declaration') ?? node.childForFieldName('definition') ?? node)
      : node;
  const body = declared.childForFieldName('body');
  const end = body && body.startIndex > node.startIndex ? body.startIndex : node.endIndex;
  let signature = text.slice(node.startIndex, end);
  if (!body) {
    const newline = signature.indexOf('\n');
    if (newline !== -1) signature = signature.slice(0, newline);
  }
  signature = signature.replace(/\s+/g, ' ').trim();
  return signature.length > maximumSignature ? `${signature.slice(0, maximumSignature - 1)}…` : signature;
}

function markdownHeadings(text: string): string[] {
  const headings: string[] = [];
  for (const match of text.matchAll(/^(#{1,3}) +(.+)$/gm)) {
    headings.push(`${match[1]} ${match[2]!.trim().slice(0, maximumSignature)}`);
    if (headings.length === maximumMembers) break;
  }
  return headings;
}
