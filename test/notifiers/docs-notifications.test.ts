/**
 * docs/notifications.md: every `yaml` block is a whole config file, loaded by busbar's own loader
 * (config/load.ts) as `busbar --config` would; every channel has a worked example there; and a block
 * the loader refuses fails this test (checked with a broken copy of one).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { services } from '../../notifiers/services/index.js';

const page = readFileSync(new URL('../../docs/notifications.md', import.meta.url), 'utf8');
const blocks = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** A value of the shape each `${NAME}` a block reads must have. */
function secret(name: string): string {
  if (name.endsWith('_URL')) return `https://hooks.example.org/${name.toLowerCase()}`;
  if (name.startsWith('TELEGRAM')) return '123456789:AAE-example_token'; // BotFather's shape
  return `secret-${name}`;
}

function environment(yaml: string): NodeJS.ProcessEnv {
  const names = [...yaml.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]!);
  return Object.fromEntries(names.map((name) => [name, secret(name)]));
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'busbar-docs-notifications-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(yaml: string, name: string): ReturnType<typeof loadConfig> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  return loadConfig(file, environment(yaml));
}

/** The header of the block's section, to name it in the test. */
function sectionOf(block: string): string {
  const before = page.slice(0, page.indexOf(block));
  return [...before.matchAll(/^#+ (.+)$/gm)].at(-1)?.[1] ?? 'top';
}

describe('docs/notifications.md', () => {
  it('has its examples', () => {
    expect(blocks.length).toBeGreaterThan(Object.keys(services).length);
  });

  it.each(blocks.map((block, index) => [index + 1, sectionOf(block), block] as const))(
    'block %i (%s) is a valid config file',
    async (index, _section, block) => {
      const config = await load(block, `block-${index}`);
      expect(config.notifiers.routes.length).toBeGreaterThan(0);
    },
  );

  it('shows every channel as a target of a route', async () => {
    const routed = new Set<string>();
    for (const [index, block] of blocks.entries()) {
      const config = await load(block, `routed-${index}`);
      type Route = { targets?: string[]; routes?: Route[] };
      const walk = (route: Route): void => {
        for (const target of route.targets ?? []) routed.add(target.split(':')[0]!);
        route.routes?.forEach(walk);
      };
      config.notifiers.routes.forEach(walk);
    }
    expect([...routed].sort()).toEqual(Object.keys(services).sort());
  });

  it('would fail on a block the loader refuses', async () => {
    const email = blocks.find((block) => block.includes('security: starttls'))!;
    await expect(load(email.replace('security: starttls', 'security: sometimes'), 'broken')).rejects.toThrow(
      /security/,
    );
    const tree = blocks.find((block) => block.includes('activeTimeIntervals'))!;
    await expect(load(tree.replace('[office-hours]', '[lunch]'), 'broken-tree')).rejects.toThrow(/lunch/);
  });
});
