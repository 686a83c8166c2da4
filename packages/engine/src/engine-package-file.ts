import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The path of a file `@herd/engine` ships (its package.json, a JSON Schema), found through the package's own name.
 * A path relative to `import.meta.url` would depend on which file asks: the modules in `dist/`, the sources in
 * `src/` and the bundled CLI in `dist/bundle/` sit at different depths below the package's root.
 */
export function enginePackageFile(
  file: 'package.json' | 'schema/herd-config.schema.json' | 'schema/ci-report.schema.json',
): string {
  return require.resolve(`@herd/engine/${file}`);
}
