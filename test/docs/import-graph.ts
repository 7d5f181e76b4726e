/**
 * The project's own modules and their relative imports, read with the TypeScript parser (so
 * `import type`, `export ... from` and imports spread over lines count, and an import quoted in a
 * comment does not), and the cycles among them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Module (path relative to the root, with `/`) → the modules it imports. */
export type ImportGraph = Map<string, string[]>;

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'test', 'test-artifacts', 'data', '.git']);

/** Every `.ts` file under `root`, outside the skipped folders, with its relative imports resolved. */
export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(root, '')) {
    const text = readFileSync(path.join(root, file), 'utf8');
    graph.set(
      file,
      relativeSpecifiers(file, text).map((specifier) => resolve(file, specifier)),
    );
  }
  return graph;
}

function sourceFiles(root: string, dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...sourceFiles(root, relative));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      files.push(relative);
    }
  }
  return files;
}

/**
 * The module specifiers of a file's static imports and re-exports that start with `.`. A dynamic
 * `import()` is left out: it loads a module when called, not when this one loads (how cli/ loads
 * only the configured components), so it makes no cycle at load time.
 */
export function relativeSpecifiers(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)
        ? statement.moduleSpecifier
        : undefined;
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) {
      specifiers.push(specifier.text);
    }
  }
  return specifiers;
}

/** `./x.js` imported from `a/b.ts` is `a/x.ts` (the sources import the compiled names). */
function resolve(from: string, specifier: string): string {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return joined.replace(/\.js$/, '.ts');
}

/**
 * Import cycles, each as the modules in import order with the first repeated at the end
 * (`a.ts → b.ts → a.ts`): at least one for every group of modules that import each other.
 */
export function importCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  for (const start of [...graph.keys()].sort()) {
    if (done.has(start)) continue;
    const path: string[] = [];
    const onPath = new Set<string>();
    const visit = (module: string): void => {
      if (onPath.has(module)) {
        cycles.push([...path.slice(path.indexOf(module)), module]);
        return;
      }
      if (done.has(module) || !graph.has(module)) return;
      path.push(module);
      onPath.add(module);
      for (const next of graph.get(module)!) visit(next);
      path.pop();
      onPath.delete(module);
      done.add(module);
    };
    visit(start);
  }
  return cycles;
}
