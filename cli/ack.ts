/**
 * `busbar ack <alarm>`: acknowledge firing alarms from a shell, over MQTT like every other client.
 * The alarms component answers; its answer (the retained <base>/acks/<rule>/<series>) is what this
 * command reports. `<alarm>` is `rule/series`, or a rule, series or source name (`*` wildcards):
 * every firing alarm it names is acknowledged.
 */
import os from 'node:os';
import { acknowledgeAlarm, firingAlarmsNamed } from '../alarms/ack-client.js';
import { runBusCommand, type BusCommandOptions } from './bus-command.js';
import { UsageError } from './password-file.js';

export interface AckOptions extends BusCommandOptions {
  by?: string;
  comment?: string;
}

export function ackCommand(name: string, options: AckOptions): Promise<number> {
  return runBusCommand(options, async (bus, topics) => {
    const alarms = await firingAlarmsNamed(bus, topics, name);
    if (alarms.length === 0) throw new UsageError(`no firing alarm is named "${name}"`);
    const lines: string[] = [];
    for (const alarm of alarms) {
      const ack = await acknowledgeAlarm(bus, topics, {
        rule: alarm.rule,
        series: alarm.series,
        by: options.by ?? os.userInfo().username,
        comment: options.comment ?? '',
      });
      const comment = ack.comment === '' ? '' : ` — ${ack.comment}`;
      lines.push(`acknowledged: ${ack.rule}/${ack.series} by ${ack.by} at ${ack.at}${comment}`);
    }
    return lines.join('\n');
  });
}
