/**
 * Include/exclude lists of names (mount points, devices, interfaces) with shell-style wildcards:
 * `*` any run of characters, `?` one. A name is kept when it matches an include pattern (or the
 * include list is empty) and no exclude pattern.
 */

export type NameFilter = (name: string) => boolean;

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

export function nameFilter(include: readonly string[], exclude: readonly string[]): NameFilter {
  const includes = include.map(globToRegExp);
  const excludes = exclude.map(globToRegExp);
  return (name) =>
    (includes.length === 0 || includes.some((re) => re.test(name))) && !excludes.some((re) => re.test(name));
}
