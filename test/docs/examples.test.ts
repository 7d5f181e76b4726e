/**
 * Every ```yaml block of README.md and docs/** that is a busbar config validates against the schema.
 *
 * A block is a whole config file unless the line before its fence (a blank line between allowed) is
 * one of these comments:
 *   <!-- partial config at PATH -->  the block is the value at PATH (`broker`, `alarms.rules`); it is
 *                                    validated placed there, with the defaults around it
 *   <!-- partial config -->          a piece that is not valid alone (a `...` placeholder); it must
 *                                    still be YAML
 *   <!-- not a busbar config -->     YAML of some other program
 * `${NAME}` references are given a value of the shape their name suggests, and `${file:PATH}` ones a
 * text, as a deployment would have them.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.js';
import { fencedBlocks, markdownFiles, type FencedBlock } from './markdown.js';

/** A value of the shape each `${NAME}` a block reads must have. */
function environment(yaml: string): NodeJS.ProcessEnv {
  const names = [...yaml.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]!);
  const shaped = (name: string): string =>
    name.endsWith('_URL')
      ? `https://hooks.example.org/${name.toLowerCase()}`
      : name.startsWith('TELEGRAM')
        ? '123456789:AAE-example_token' // BotFather's shape
        : `secret-${name}`;
  return Object.fromEntries(names.map((name) => [name, shaped(name)]));
}

/** The block as a whole config file: as written, or placed at its declared path. */
function asConfig(block: FencedBlock): unknown {
  const value: unknown = parse(block.body);
  const at = /^partial config at (\S+)$/.exec(block.note ?? '')?.[1];
  if (at === undefined) return value;
  return at
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value);
}

type Kind = 'config' | 'partial' | 'other';

function kindOf(block: FencedBlock): Kind {
  if (block.note === 'partial config') return 'partial';
  if (block.note === 'not a busbar config') return 'other';
  return 'config';
}

/** Every problem the config loader finds in the block, as `path: message`; none for a valid one. */
function problems(block: FencedBlock): string[] {
  try {
    const withFiles = { ...block, body: block.body.replace(/\$\{file:[^}]+\}/g, 'secret-from-a-file') };
    parseConfig(asConfig(withFiles), { env: environment(block.body) });
    return [];
  } catch (error) {
    const listed = (error as { problems?: { path: string; message: string }[] }).problems;
    return listed?.map((p) => `${p.path}: ${p.message}`) ?? [(error as Error).message];
  }
}

const blocks = markdownFiles().flatMap((file) =>
  fencedBlocks(file.text)
    .filter((block) => block.language === 'yaml' || block.language === 'yml')
    .map((block) => ({ where: `${file.name}:${block.line}`, block })),
);

describe('YAML examples in the documentation', () => {
  it('finds the examples of README.md and docs/', () => {
    // The README is a front page: its tour has one config; the rest lives in docs/.
    expect(blocks.filter(({ where }) => where.startsWith('README.md')).length).toBeGreaterThan(0);
    expect(blocks.filter(({ where }) => where.startsWith('docs/')).length).toBeGreaterThan(40);
  });

  it.each(blocks.map(({ where, block }) => [where, kindOf(block), block] as const))(
    '%s (%s) is valid',
    (_where, kind, block) => {
      expect(() => parse(block.body)).not.toThrow();
      if (kind === 'config') expect(problems(block)).toEqual([]);
    },
  );

  it('places a partial block at its path, and a wrong key fails (the check can fail)', () => {
    const fragment = (body: string, note?: string): FencedBlock => ({
      language: 'yaml',
      body,
      line: 1,
      note,
    });
    expect(
      problems(fragment('- { topic: sensors/#, access: publish }', 'partial config at broker.acl')),
    ).toEqual([]);
    expect(problems(fragment('maxTopicLevel: 3', 'partial config at broker'))).toEqual([
      'broker.maxTopicLevel: unknown key',
    ]);
    expect(problems(fragment('broker: { listeners: [{ type: udp }] }')).length).toBeGreaterThan(0);
    const [marked] = fencedBlocks(
      'text\n\n<!-- partial config at broker -->\n\n```yaml\nmaxTopicLevels: 3\n```\n',
    );
    expect(marked).toMatchObject({ language: 'yaml', note: 'partial config at broker', line: 5 });
    expect(asConfig(marked!)).toEqual({ broker: { maxTopicLevels: 3 } });
  });
});
