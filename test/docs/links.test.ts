/** Every relative link of README.md and docs/** reaches a file, and a heading when it names one. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingAnchors, linkTargets, markdownFiles, ROOT } from './markdown.js';

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/** Why `target`, linked from `from`, leads nowhere; undefined when it leads somewhere. */
function brokenLink(from: string, target: string): string | undefined {
  const [file = '', anchor] = target.split('#');
  const resolved = file === '' ? path.join(ROOT, from) : path.resolve(ROOT, path.dirname(from), file);
  if (!resolved.startsWith(ROOT)) return 'leaves the repository';
  if (!existsSync(resolved)) return 'no such file';
  if (anchor === undefined || anchor === '' || !resolved.endsWith('.md') || statSync(resolved).isDirectory())
    return undefined;
  return headingAnchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(anchor))
    ? undefined
    : `no heading #${anchor}`;
}

describe('links in the documentation', () => {
  const files = markdownFiles();

  it('reads README.md and the docs tree', () => {
    expect(files.map((file) => file.name)).toEqual(
      expect.arrayContaining(['README.md', 'docs/configuration.md', 'docs/notifications.md']),
    );
  });

  it.each(files.map((file) => [file.name, file.text] as const))(
    '%s: every relative link resolves',
    (name, text) => {
      const broken = linkTargets(text)
        .filter((target) => !EXTERNAL.test(target))
        .map((target) => ({ target, problem: brokenLink(name, target) }))
        .filter(({ problem }) => problem !== undefined);
      expect(broken).toEqual([]);
    },
  );

  it('notices a broken link and a missing heading (the check can fail)', () => {
    expect(brokenLink('README.md', 'docs/nothing-here.md')).toBe('no such file');
    expect(brokenLink('README.md', 'docs/configuration.md#no-such-section')).toBe(
      'no heading #no-such-section',
    );
    expect(brokenLink('docs/notifications.md', 'configuration.md#broker')).toBeUndefined();
    expect(brokenLink('README.md', '#configuration-reference')).toBeUndefined();
  });
});
