/**
 * The pages' scripts: modules under web/browser, one bundle per page (`<name>-page.ts` and what it
 * imports) made by esbuild. `npm run build` writes them next to the
 * compiled server (dist/web/static, scripts/build-browser.mjs calls buildBrowserBundles); a server
 * run from the sources (tests, tsx) bundles a page's script on its first request instead, so a
 * change to a browser module needs no build step there. Either way each is made once per process.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Where `npm run build` puts the bundles: dist/web/static beside dist/web/pages. */
const BUILT_DIR = path.join(HERE, '..', 'static');
/** The browser modules: web/browser from the sources, or from dist/web/pages back to the sources. */
const SOURCE_DIR = [
  path.join(HERE, '..', 'browser'),
  path.join(HERE, '..', '..', '..', 'web', 'browser'),
].find((dir) => existsSync(dir));

/** A page's script is `<name>-page.ts`. */
const ENTRY = /^(.+)-page\.ts$/;
const cache = new Map<string, Promise<string>>();

async function bundle(entry: string): Promise<string> {
  // Loaded only when bundling: a built server reads its bundles and needs no esbuild.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    legalComments: 'none',
    minify: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

async function load(name: string): Promise<string> {
  const built = path.join(BUILT_DIR, `${name}.js`);
  if (existsSync(built)) return readFile(built, 'utf8');
  if (SOURCE_DIR === undefined) throw new Error(`no bundle ${built} and no browser sources to make it`);
  const entry = (await entries(SOURCE_DIR)).get(name);
  if (entry === undefined) throw new Error(`no ${name}-page.ts in ${SOURCE_DIR}`);
  return bundle(entry);
}

/** Page name → its entry file. */
async function entries(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const file of await readdir(dir)) {
    const match = ENTRY.exec(file);
    if (match) found.set(match[1]!, path.join(dir, file));
  }
  return found;
}

/** The bundled script of page `name` (web/browser/<name>-page.ts). */
export function browserScript(name: string): Promise<string> {
  let script = cache.get(name);
  if (script === undefined) {
    script = load(name);
    // A failed bundle is tried again on the next request, not cached.
    script.catch(() => cache.delete(name));
    cache.set(name, script);
  }
  return script;
}

/** Bundles every page's script into `outDir` (default dist/web/static); returns their names. */
export async function buildBrowserBundles(outDir = BUILT_DIR): Promise<string[]> {
  if (SOURCE_DIR === undefined) throw new Error('no web/browser sources');
  const found = await entries(SOURCE_DIR);
  await mkdir(outDir, { recursive: true });
  for (const [name, entry] of found) await writeFile(path.join(outDir, `${name}.js`), await bundle(entry));
  return [...found.keys()];
}
