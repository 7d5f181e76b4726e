import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alarmsSchema } from '../../alarms/config.js';
import { ALARMS_PAGE, alarmBlocks } from './readme-blocks.js';

describe('the recording rules the docs show', () => {
  it.each([ALARMS_PAGE, 'bridges/snmp/README.md', 'bridges/redis/README.md'])(
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
