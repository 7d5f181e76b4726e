/**
 * README.md is a front page (issue 19): short enough to read on a phone, and its table of contents
 * leads a newcomer to each of the tasks they come for, on a page that exists and has a config the
 * examples test validates.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fencedBlocks, ROOT } from './markdown.js';

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The tasks a newcomer must find from the README, each as the words its row or item starts with. */
const TASKS = [
  'connect a device',
  'add a user',
  'write to InfluxDB',
  'get an alarm by email',
  'set up the Telegram bot',
  'poll a PDU',
  'read Redis keys',
  'bridge to another broker',
];

/** The README's table of contents: from its "Documentation" heading to the next `## ` heading. */
function tableOfContents(readme: string): string {
  const start = readme.indexOf('\n## Documentation\n');
  if (start === -1) return '';
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The relative link target on the line of the table of contents that names `task`. */
function linkFor(contents: string, task: string): string | undefined {
  const line = contents.split('\n').find((text) => text.toLowerCase().includes(task.toLowerCase()));
  return /\]\(([^)#\s]+)(?:#[^)]*)?\)/.exec(line ?? '')?.[1];
}

describe('README.md as a front page', () => {
  const lines = README.split('\n');

  it('has at most 300 lines', () => {
    expect(lines.length).toBeLessThanOrEqual(300);
  });

  it('has no line over 200 characters', () => {
    const long = lines.flatMap((text, index) => (text.length > 200 ? [`${index + 1}: ${text.length}`] : []));
    expect(long).toEqual([]);
  });

  it.each(TASKS)('its table of contents links "%s" to a page with a tested config', (task) => {
    const target = linkFor(tableOfContents(README), task);
    expect(target, `no link for "${task}"`).toBeDefined();
    const file = path.join(ROOT, target!);
    expect(existsSync(file), `${target} does not exist`).toBe(true);
    // A whole config file (no marker): the examples test validates it as one.
    const configs = fencedBlocks(readFileSync(file, 'utf8')).filter(
      (block) => block.language === 'yaml' && block.note === undefined,
    );
    expect(configs.length, `${target} has no yaml config`).toBeGreaterThan(0);
  });

  it('notices a missing task, a dead link and a page without a config (the check can fail)', () => {
    const contents = tableOfContents(
      '# x\n\n## Documentation\n\n| add a user | [here](docs/none.md) |\n| poll a PDU | [x](README.md) |\n\n## After\n',
    );
    expect(linkFor(contents, 'connect a device')).toBeUndefined();
    expect(linkFor(contents, 'add a user')).toBe('docs/none.md');
    expect(existsSync(path.join(ROOT, 'docs/none.md'))).toBe(false);
    expect(linkFor(contents, 'poll a pdu')).toBe('README.md');
    expect(tableOfContents('# no contents\n')).toBe('');
  });
});
