import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alarmsSchema } from '../../alarms/config.js';

const root = new URL('../../', import.meta.url);

/** The ```yaml blocks of a document that configure `alarms:`. */
function alarmBlocks(relative: string): string[] {
  const text = readFileSync(new URL(relative, root), 'utf8');
  return [...text.matchAll(/```yaml\n(alarms:\n[\s\S]*?)```/g)].map((match) => match[1]!);
}

describe('the recording rules the READMEs show', () => {
  it.each(['README.md', 'bridges/snmp/README.md', 'bridges/redis/README.md'])(
    '%s: valid alarms config',
    (file) => {
      const blocks = alarmBlocks(file);
      expect(blocks.length).toBeGreaterThan(0);
      for (const block of blocks) {
        const result = alarmsSchema.safeParse((parse(block) as { alarms: unknown }).alarms);
        expect(result.error?.issues ?? []).toEqual([]);
      }
    },
  );
});
