/**
 * The alarms component: reads every metric and source status on the bus, evaluates the alarm rules
 * (engine.ts) and publishes each state change, retained, on <base>/alarms/<rule>/<series>. State is
 * saved to `statePath` after changes and on stop, and read back at start.
 */
import type { Component, ComponentContext } from '../core/component.js';
import { aborted } from '../core/abortable.js';
import { errorMessage } from '../core/errors.js';
import { decodeCanonical } from '../core/ingest/canonical.js';
import { nowNs } from '../core/metric.js';
import type { AlarmMessage } from './alarm.js';
import type { AlarmsConfig } from './config.js';
import { DEFAULT_RULES } from './defaults.js';
import { AlarmEngine } from './engine.js';
import { Recorder } from './record.js';
import { loadAlarmState, saveAlarmState } from './state-file.js';

export const alarmsComponent: Component<AlarmsConfig> = {
  kind: 'alarms',
  async run({ config, log, bus, topics, signal }: ComponentContext<AlarmsConfig>): Promise<void> {
    const own = new Set(config.rules.map((rule) => rule.name));
    const rules = [
      ...(config.defaults ? DEFAULT_RULES.filter((rule) => !own.has(rule.name)) : []),
      ...config.rules,
    ];
    let restored: Awaited<ReturnType<typeof loadAlarmState>> = [];
    try {
      restored = await loadAlarmState(config.statePath);
    } catch (error) {
      // A damaged file must not stop alarms: start afresh (alarms firing before are announced again).
      log.error(
        { path: config.statePath, err: errorMessage(error) },
        'alarm state unreadable, starting afresh',
      );
    }
    const outbox: AlarmMessage[] = [];
    const forgotten: { rule: string; series: string }[] = [];
    const engine = new AlarmEngine({
      rules,
      restored,
      now: Date.now(),
      onChange: (message) => outbox.push(message),
      onForget: (rule, series) => forgotten.push({ rule, series }),
      forgetAfter: config.forgetAfter,
    });
    const recorder = new Recorder(config.record);
    log.info(
      { rules: rules.length, record: config.record.length, restored: restored.length },
      'alarms started',
    );

    const drain = async (): Promise<void> => {
      // An empty retained payload clears the topic [MQTT-3.3.1-10].
      for (const { rule, series } of forgotten.splice(0)) {
        await bus.publish(topics.alarm(rule, series), '', { qos: 1, retain: true });
      }
      while (outbox.length > 0) {
        const message = outbox.shift()!;
        const { rule, series, state, summary } = message;
        log.info({ rule, series, state, summary }, 'alarm state changed');
        await bus.publish(topics.alarm(message.rule, message.series), JSON.stringify(message), {
          qos: 1,
          retain: true,
        });
      }
    };
    // Points, statuses and ticks arrive concurrently; one drain at a time keeps each alarm's states in
    // order on the bus (a `resolved` overtaking its `firing` would leave the wrong state retained).
    let draining = Promise.resolve();
    const flush = (): Promise<void> => {
      const next = draining.then(drain);
      draining = next.catch(() => undefined); // the caller sees the failure; the next drain still runs
      return next;
    };
    let saved = engine.changes;
    const save = async (): Promise<void> => {
      if (engine.changes === saved) return;
      saved = engine.changes;
      await saveAlarmState(config.statePath, engine.snapshot());
    };

    const metrics = await bus.subscribe(topics.allMetrics, async (message) => {
      const now = Date.now();
      const decoded = decodeCanonical(topics, message.topic, message.payload, nowNs());
      for (const metric of decoded.metrics) {
        engine.observe(decoded.source, metric, now);
        recorder.observe(message.topic, metric, now);
      }
      await flush();
    });
    const statusPrefix = `${topics.base}/status/`;
    const statuses = await bus.subscribe(`${statusPrefix}+`, async (message) => {
      engine.status(
        message.topic.slice(statusPrefix.length),
        message.payload.toString('utf8').trim(),
        Date.now(),
      );
      await flush();
    });

    let running = Promise.resolve();
    const tick = async (): Promise<void> => {
      const now = Date.now();
      engine.tick(now);
      await flush();
      for (const output of recorder.due(now)) {
        await bus.publish(topics.metrics(output.source, output.metric.measurement), output.line);
      }
      await save();
    };
    const timer = setInterval(
      () => {
        running = running
          .then(tick)
          .catch((error: unknown) => log.warn({ err: errorMessage(error) }, 'alarm tick failed'));
      },
      Math.min(config.evaluateInterval, recorder.interval ?? Infinity),
    );
    try {
      await aborted(signal);
    } finally {
      clearInterval(timer);
      await running;
      await metrics.unsubscribe();
      await statuses.unsubscribe();
      await save().catch((error: unknown) =>
        log.error({ err: errorMessage(error) }, 'alarm state not saved'),
      );
    }
  },
};
