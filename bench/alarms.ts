/**
 * `npm run bench:alarms`: how fast the alarm engine evaluates points with 100 rules over 10,000
 * series (in process, no bus), then the latency from a point's arrival at a real in-process busbar to
 * its alarm's publish, as an MQTT client sees both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import pino from 'pino';
import { alarmRuleSchema, type AlarmRule } from '../alarms/config.js';
import type { AlarmMessage } from '../alarms/alarm.js';
import { AlarmEngine } from '../alarms/engine.js';
import { inhibitRuleSchema, notifySchema } from '../alarms/dispatch/config.js';
import { SilenceStore } from '../alarms/dispatch/silences.js';
import { NotificationStage } from '../alarms/dispatch/stage.js';
import { startBusbar } from '../cli/app.js';
import { parseConfig } from '../config/load.js';
import type { Metric } from '../core/codecs/metric.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  strict: true,
  options: {
    rules: { type: 'string' },
    hosts: { type: 'string' },
    measurements: { type: 'string' },
    points: { type: 'string' },
    samples: { type: 'string' },
  },
});
const RULES = Number(values.rules ?? 100);
const HOSTS = Number(values.hosts ?? 1_000);
const MEASUREMENTS = Number(values.measurements ?? 10); // series = hosts × measurements
const POINTS = Number(values.points ?? 1_000_000);
const SAMPLES = Number(values.samples ?? 200);

/**
 * Every rule covers every host (source `*`) on one measurement; kinds mixed as a real config would be.
 * `withExpressions`: one rule in ten compares an expression, one in ten the average per rack of 20
 * hosts (a `rack` tag is added for it).
 */
function rules(withExpressions: boolean): AlarmRule[] {
  return Array.from({ length: RULES }, (_, i) => {
    const common = { name: `r${i}`, measurement: `m${i % MEASUREMENTS}`, field: 'value' };
    if (i % 10 === 8) return alarmRuleSchema.parse({ kind: 'deviation', ...common, k: 4 });
    if (i % 10 === 9) return alarmRuleSchema.parse({ kind: 'trend', ...common, above: 1000, window: '1h' });
    const limits = { above: 90 + (i % 7), clear: 85, for: '1m' };
    if (withExpressions && i % 10 === 6) {
      const { field: _field, ...rest } = common;
      return alarmRuleSchema.parse({ kind: 'threshold', ...rest, expr: 'value * 2 - 50', ...limits });
    }
    if (withExpressions && i % 10 === 7) {
      const aggregate = { op: 'avg', by: ['rack'] };
      return alarmRuleSchema.parse({ kind: 'threshold', ...common, aggregate, ...limits });
    }
    return alarmRuleSchema.parse({ kind: 'threshold', ...common, ...limits });
  });
}

function throughput(withExpressions: boolean): void {
  let published = 0;
  const start = Date.now();
  const engine = new AlarmEngine({ rules: rules(withExpressions), now: start, onChange: () => published++ });
  const metrics: Metric[] = [];
  for (let h = 0; h < HOSTS; h++) {
    for (let m = 0; m < MEASUREMENTS; m++) {
      metrics.push({
        measurement: `m${m}`,
        tags: withExpressions ? { host: `h${h}`, rack: `r${Math.floor(h / 20)}` } : { host: `h${h}` },
        fields: { value: { type: 'float', value: 0 } },
      });
    }
  }
  const began = process.hrtime.bigint();
  for (let i = 0; i < POINTS; i++) {
    const metric = metrics[i % metrics.length]!;
    const round = Math.floor(i / metrics.length);
    const field = metric.fields.value!;
    // Each series swings through the limits once an hour, each with its own phase.
    if (field.type === 'float')
      field.value = 50 + 45 * Math.sin((2 * Math.PI * round) / 360 + (i % metrics.length));
    const now = start + round * 10_000; // every series once per 10 s
    engine.observe(metric.tags.host!, metric, now);
    if (i % metrics.length === metrics.length - 1) engine.tick(now);
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const evaluations = (POINTS * RULES) / MEASUREMENTS;
  const mix = withExpressions ? ' (10 % expressions, 10 % aggregates)' : '';
  log(
    `engine: ${RULES} rules${mix}, ${HOSTS * MEASUREMENTS} series, ${POINTS.toLocaleString('en-US')} points`,
  );
  log(`  ${Math.round(POINTS / seconds).toLocaleString('en-US')} points/s evaluated`);
  log(
    `  ${Math.round(evaluations / seconds).toLocaleString('en-US')} rule evaluations/s, ${published} state changes`,
  );
  log(`  heap ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB`);
}

/**
 * An outage: 100 PDUs and the 10,000 machines behind them (100 per rack) fire at once, in one group
 * per rule. Timed with an inhibition rule (PDU mutes its rack) against the same storm without one.
 */
function storm(inhibit: boolean): number {
  const stage = new NotificationStage({
    config: notifySchema.parse({ groupBy: ['rule'], groupWait: '0s' }),
    inhibit: inhibit
      ? [inhibitRuleSchema.parse({ when: { rule: 'pdu' }, suppress: { rule: 'down' }, equal: ['rack'] })]
      : [],
    silences: new SilenceStore([], [], 0),
    onNotify: () => undefined,
  });
  const at = 1_000;
  const alarm = (rule: string, source: string, rack: string): AlarmMessage => ({
    rule,
    series: source,
    state: 'firing',
    severity: 'critical',
    value: 1,
    threshold: 0,
    baseline: null,
    since: new Date(at).toISOString(),
    firedAt: new Date(at).toISOString(),
    labels: { source, rack },
    summary: `${rule} ${source}`,
  });
  const began = process.hrtime.bigint();
  for (let r = 0; r < 100; r++) stage.change(alarm('pdu', `pdu${r}`, `r${r}`), at);
  for (let m = 0; m < 10_000; m++) stage.change(alarm('down', `m${m}`, `r${m % 100}`), at);
  stage.flushDue(at);
  return Number(process.hrtime.bigint() - began) / 1e6;
}

async function latency(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'busbar-bench-alarms-'));
  const config = parseConfig({
    broker: { listeners: [{ type: 'tcp', host: '127.0.0.1', port: 0 }] },
    agent: { enabled: false },
    sinks: { history: { enabled: false } },
    alarms: {
      defaults: false,
      statePath: join(dir, 'alarms.json'),
      rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'temp', above: 50 }],
      // Each change told alone and at once, so the notification's latency is the stage's own cost.
      notify: { groupBy: ['...'], groupWait: '0s' },
    },
  });
  const running = await startBusbar(config, pino({ level: 'warn' }));
  const client = await mqtt.connectAsync(running.broker!.listeners[0]!.url, { protocolVersion: 4 });
  try {
    const waiting = new Map<string, (at: bigint) => void>();
    client.on('message', (topic) => waiting.get(topic)?.(process.hrtime.bigint()));
    await client.subscribeAsync('busbar/alarms/hot/#', { qos: 0 });
    await client.subscribeAsync('busbar/notify/#', { qos: 0 });
    await client.subscribeAsync('bench/echo/#', { qos: 0 });
    const measure = async (
      send: (i: number) => Promise<unknown>,
      expect: (i: number) => string,
    ): Promise<number[]> => {
      const latencies: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const arrived = new Promise<bigint>((resolve) => waiting.set(expect(i), resolve));
        const sent = process.hrtime.bigint();
        await send(i);
        latencies.push(Number((await arrived) - sent) / 1e6);
        waiting.delete(expect(i));
      }
      return latencies.sort((a, b) => a - b);
    };
    // The same client's own round trip through the broker, for comparison: what the alarm adds is the difference.
    const echo = await measure(
      (i) => client.publishAsync(`bench/echo/${i}`, 'x'),
      (i) => `bench/echo/${i}`,
    );
    const latencies = await measure(
      (i) => client.publishAsync(`busbar/metrics/s${i}/temp`, `temp,host=s${i} temp=60`),
      (i) => `busbar/alarms/hot/s${i}.temp.temp{host=s${i}}`,
    );
    // New series (n${i}), so each point fires a new alarm; measured to its grouped notification.
    const notified = await measure(
      (i) => client.publishAsync(`busbar/metrics/n${i}/temp`, `temp,host=n${i} temp=60`),
      (i) => running.topics.notification(`hot/n${i}.temp.temp{host=n${i}}`),
    );
    const at = (values: number[], q: number): string =>
      values[Math.min(values.length - 1, Math.floor(q * values.length))]!.toFixed(2);
    const line = (values: number[]): string =>
      `p50 ${at(values, 0.5)} ms, p99 ${at(values, 0.99)} ms, max ${at(values, 1)} ms`;
    log(`point → alarm publish through busbar (${SAMPLES} alarms): ${line(latencies)}`);
    log(`point → grouped notification on busbar/notify (no wait): ${line(notified)}`);
    log(`  for comparison, a message's round trip through the broker: ${line(echo)}`);
  } finally {
    await client.endAsync();
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

throughput(false);
throughput(true);
storm(true); // warm-up
const muted = storm(true);
const plain = storm(false);
log(
  `notification stage, 10,100 alarms at once: ${muted.toFixed(1)} ms with a PDU inhibition rule, ${plain.toFixed(1)} ms without (${(muted / plain).toFixed(2)}×)`,
);
await latency();
