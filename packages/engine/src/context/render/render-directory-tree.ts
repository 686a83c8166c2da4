/**
 * Renders sorted paths as an indented tree: directories end with `/`, two spaces per level, and a directory
 * with a single child directory is joined with it (`src/context/`) to keep deep trees short.
 */
export function renderDirectoryTree(paths: readonly string[]): string {
  interface Node {
    children: Map<string, Node>;
    file: boolean;
  }
  const root: Node = { children: new Map(), file: false };
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('/')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { children: new Map(), file: false };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.file = true;
  }
  const lines: string[] = [];
  const visit = (node: Node, depth: number) => {
    const names = [...node.children.keys()].sort((left, right) => {
      const leftDirectory = node.children.get(left)!.children.size > 0;
      const rightDirectory = node.children.get(right)!.children.size > 0;
      if (leftDirectory !== rightDirectory) return leftDirectory ? -1 : 1;
      return left < right ? -1 : left > right ? 1 : 0;
    });
    for (const name of names) {
      let child = node.children.get(name)!;
      if (child.children.size === 0) {
        lines.push(`${'  '.repeat(depth)}${name}`);
        continue;
      }
      let label = `${name}/`;
      while (child.children.size === 1 && !child.file) {
        const [onlyName, only] = [...child.children.entries()][0]!;
        if (only.children.size === 0) break;
        label += `${onlyName}/`;
        child = only;
      }
      lines.push(`${'  '.repeat(depth)}${label}`);
      visit(child, depth + 1);
    }
  };
  visit(root, 0);
  return lines.join('\n');
}
