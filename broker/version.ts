import { readFileSync } from 'node:fs';

/**
 * `busbar <version>` for `$SYS/broker/version`, read from package.json next to the source tree or
 * the build (dist/broker/ is one level deeper). Read once, at broker start.
 */
export function brokerVersion(aedesVersion: string): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'busbar' && pkg.version) return `busbar ${pkg.version} (aedes ${aedesVersion})`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return `busbar (aedes ${aedesVersion})`;
}
