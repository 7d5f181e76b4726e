/**
 * The layout docs/architecture.md describes, kept by a test: no module imports itself through
 * others (a cycle, type-only ones included, means two files are one concern split badly), and
 * core/ stands alone: it imports nothing from config/ or from a component, so a component can be
 * added, moved or left out without touching it.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, readImportGraph, relativeSpecifiers, type ImportGraph } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const graph = readImportGraph(ROOT);

describe('layout', () => {
  it('reads the project: core, the components and their imports', () => {
    expect(graph.get('core/runtime/supervisor.ts')).toContain('core/runtime/component.ts');
    expect(graph.has('ingest/ingest-component.ts')).toBe(true);
    expect([...graph.keys()].some((file) => file.startsWith('test/'))).toBe(false);
  });

  it('has no import cycle', () => {
    const cycles = importCycles(graph).map((cycle) => cycle.join(' → '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('core/ imports only core/', () => {
    const outside = [...graph]
      .filter(([file]) => file.startsWith('core/'))
      .flatMap(([file, imports]) =>
        imports.filter((target) => !target.startsWith('core/')).map((target) => `${file} → ${target}`),
      );
    expect(outside, `core/ imports from outside core/:\n${outside.join('\n')}`).toEqual([]);
  });
});

describe('import graph', () => {
  it('counts type-only imports, re-exports and imports over several lines, not comments or import()', () => {
    const text = [
      "import type { A } from './a.js';",
      "import {\n  b,\n  c,\n} from '../b.js';",
      "export { d } from './d.js';",
      "import './side-effect.js';",
      "import { z } from 'zod';",
      "// import { e } from './e.js';",
      "const lazy = () => import('./lazy.js');",
    ].join('\n');
    expect(relativeSpecifiers('x/y.ts', text)).toEqual(['./a.js', '../b.js', './d.js', './side-effect.js']);
  });

  it('finds a cycle and names its modules in import order', () => {
    const cyclic: ImportGraph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
    ]);
    expect(importCycles(cyclic)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
  });
});
