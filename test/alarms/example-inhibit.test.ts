/**
 * The alarms section of config/example.yaml, uncommented and run (issue 21, part 4): the labels of
 * `alarms.sources` ride on every alarm of a source, so a dead PDU's inhibition rule (`equal: [pdu]`)
 * mutes the machines behind it without a list. One notification for the PDU and its 2 machines.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { waitFor } from '../helpers/mqtt-clients.js';
import { outages, promptly } from './outage.js';

/** The commented `# alarms:` section of config/example.yaml, as the YAML it would be uncommented. */
function exampleAlarms(): Record<string, unknown> & { rules: { name: string; for?: string }[] } {
  const lines = readFileSync(new URL('../../config/example.yaml', import.meta.url), 'utf8').split('\n');
  const start = lines.indexOf('# alarms:');
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('#'));
  const yaml = lines
    .slice(start, end)
    .map((line) => line.replace(/^# ?/, ''))
    .join('\n');
  return (parse(yaml) as { alarms: ReturnType<typeof exampleAlarms> }).alarms;
}

const outage = outages();

describe("config/example.yaml's alarms", () => {
  it('a PDU outage with two machines behind it is one notification, about the PDU', async () => {
    const { statePath: _statePath, ...alarms } = exampleAlarms();
    expect(alarms.sources).toMatchObject({ web1: { pdu: 'pdu1' }, web2: { pdu: 'pdu1' } });
    // The example's offline rule waits 2 min and its groups 30 s: here at once and 1 s.
    // The machines' agents say so first (their last will), the PDU's bridge a poll later.
    const {
      alarms: offline,
      notifications,
      inhibited,
    } = await outage(promptly(alarms), ['web1', 'web2', 'pdu1']);
    expect(offline.get('web1')?.labels).toEqual({ source: 'web1', rack: 'r1', pdu: 'pdu1' });
    await waitFor(() => notifications().length > 0, 'a notification');
    const [told] = notifications();
    expect(told?.alarms.map((alarm) => alarm.series)).toEqual(['pdu1']);
    expect(told?.summary).toMatch(/pdu1/);
    // Nothing else to tell: the statistics say the two machines were inhibited.
    await inhibited(2);
    expect(notifications()).toHaveLength(1);
  });
});
