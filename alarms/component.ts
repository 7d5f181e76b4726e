/**
 * The alarms component: reads every metric and source status on the bus, evaluates the alarm rules
 * (engine.ts) and publishes each state change, retained, on <base>/alarms/<rule>/<series>. The
 * notification stage (notify/stage.ts) turns those changes into grouped notifications on
 * <base>/notify/<group>, muted by silences and inhibition; silences are asked for on
 * <base>/control/silences and published, retained, on <base>/silences/<id>. State (alarms, silences,
 * what each group was told) is saved to `statePath` after changes and on stop, and read back at start.
 */
import type { Component, ComponentContext } from '../core/component.js';
import { aborted } from '../core/abortable.js';
import { errorMessage } from '../core/errors.js';
import { decodeCanonical } from '../core/ingest/canonical.js';
import { nowNs } from '../core/metric.js';
import { NOTIFICATION_DEAD_RULE, type AlarmMessage } from './alarm.js';
import type { AlarmsConfig } from './config.js';
import { DEFAULT_RULES } from './defaults.js';
import { AlarmEngine } from './engine.js';
import type { AlarmNotification } from './notification.js';
import { NotificationStage } from './notify/stage.js';
import { SilenceStore } from './notify/silences.js';
import { parseReceipt } from './notify/told.js';
import { Recorder } from './record.js';
import { clearRemovedRuleTopics } from './retained-cleanup.js';
import { seedFromHistory } from './seed.js';
import { emptyAlarmState, loadAlarmState, saveAlarmState, type AlarmState } from './state-file.js';

/** The history store's path is added by the registration when the history sink is on (seed.ts). */
export type AlarmsComponentConfig = AlarmsConfig & { readonly historyPath?: string | undefined };

export const alarmsComponent: Component<AlarmsComponentConfig> = {
  kind: 'alarms',
  async run({
    config,
    log,
    bus,
    topics,
    signal,
    ready,
  }: ComponentContext<AlarmsComponentConfig>): Promise<void> {
    const own = new Set(config.rules.map((rule) => rule.name));
    const rules = [
      ...(config.defaults ? DEFAULT_RULES.filter((rule) => !own.has(rule.name)) : []),
      ...config.rules,
    ];
    let restored: AlarmState = emptyAlarmState();
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
    const notifications: AlarmNotification[] = [];
    const forgotten: { rule: string; series: string }[] = [];
    /** Silence topics to publish: the silence, or null to clear the retained topic. */
    const silenceTopics = new Map<string, string | null>();
    const started = Date.now();
    const silences = new SilenceStore(config.silences, restored.silences, started);
    for (const silence of silences.list()) silenceTopics.set(silence.id, JSON.stringify(silence));
    for (const id of silences.endedWhileDown) silenceTopics.set(id, null);
    const stage = new NotificationStage({
      config: config.notify,
      inhibit: config.inhibit,
      silences,
      restored: restored.notify,
      onNotify: (notification) => notifications.push(notification),
    });
    const engine = new AlarmEngine({
      rules,
      restored: restored.alarms,
      now: started,
      onChange: (message) => {
        outbox.push(message);
        stage.change(message, Date.parse(message.since));
      },
      onForget: (rule, series) => forgotten.push({ rule, series }),
      forgetAfter: config.forgetAfter,
    });
    if (config.historyPath !== undefined) {
      try {
        const seeded = await seedFromHistory(engine, config.historyPath, Date.now());
        log.info(seeded, 'alarm trends and baselines seeded from history');
      } catch (error) {
        // Seeding saves learning time, no more: without it alarms still run, and learn as before.
        log.warn(
          { path: config.historyPath, err: errorMessage(error) },
          'history unreadable, alarms start unseeded',
        );
      }
    }
    // In the background: points must not wait while the retained alarms settle (awaited on stop).
    // A broker without persistence lost the alarms' retained states in the restart: those the state
    // file restored are published again (marked `restored`: not a change, so no one is notified).
    // notification_dead is the notifiers' own alarm: theirs to keep, not a removed rule.
    const names = [...rules.map((rule) => rule.name), NOTIFICATION_DEAD_RULE];
    const cleanup = clearRemovedRuleTopics({ bus, topics, log, rules: names })
      .then(async (scan) => {
        if (!scan) return;
        const lost = engine
          .messages(Date.now())
          .filter((message) => !scan.present.has(topics.alarm(message.rule, message.series)));
        if (lost.length === 0) return;
        for (const message of lost) outbox.push({ ...message, restored: true });
        await flush();
        log.info({ republished: lost.length }, 'alarm states the broker had lost published again');
      })
      .catch((error: unknown) =>
        log.warn({ err: errorMessage(error) }, 'alarm states the broker had lost not published again'),
      );
    const recorder = new Recorder(config.record);
    let refused = 0;
    log.info(
      {
        rules: rules.length,
        record: config.record.length,
        restored: restored.alarms.length,
        silences: silences.size,
      },
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
        if (!message.restored) log.info({ rule, series, state, summary }, 'alarm state changed');
        await bus.publish(topics.alarm(message.rule, message.series), JSON.stringify(message), {
          qos: 1,
          retain: true,
        });
      }
      for (const [id, payload] of [...silenceTopics]) {
        silenceTopics.delete(id);
        await bus.publish(topics.silence(id), payload ?? '', { qos: 1, retain: true });
      }
      stage.flushDue(Date.now());
      while (notifications.length > 0) {
        const notification = notifications.shift()!;
        log.info(
          { group: notification.group, reason: notification.reason, summary: notification.summary },
          'alarm notification',
        );
        await bus.publish(topics.notification(notification.group), JSON.stringify(notification), {
          qos: 1,
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
    const saved = { engine: engine.changes, stage: stage.changes, silences: 0 };
    let silenceChanges = 0;
    const save = async (): Promise<void> => {
      const now = { engine: engine.changes, stage: stage.changes, silences: silenceChanges };
      if (now.engine === saved.engine && now.stage === saved.stage && now.silences === saved.silences) return;
      Object.assign(saved, now);
      await saveAlarmState(config.statePath, {
        alarms: engine.snapshot(),
        silences: silences.saved(),
        notify: stage.snapshot(),
      });
    };
    let lastStats = '';
    const publishStats = async (): Promise<void> => {
      const stats = JSON.stringify({
        rules: rules.length,
        held: stage.size,
        silences: silences.size,
        silenceRequestsRefused: refused,
        ...stage.stats,
      });
      if (stats === lastStats) return;
      lastStats = stats;
      await bus.publish(topics.stats('alarms'), stats, { retain: true });
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
    const requests = await bus.subscribe(topics.silenceRequests, async (message) => {
      const outcome = silences.request(message.payload, Date.now());
      if (outcome.kind === 'refused') {
        refused += 1;
        log.warn({ id: outcome.id, reason: outcome.reason }, 'silence request refused');
        return;
      }
      silenceChanges += 1;
      if (outcome.kind === 'added') {
        const { id, matchers, endsAt, createdBy } = outcome.silence;
        log.info({ id, matchers, endsAt, createdBy }, 'silence added');
        silenceTopics.set(id, JSON.stringify(outcome.silence));
      } else {
        log.info({ id: outcome.id }, 'silence removed');
        silenceTopics.set(outcome.id, null);
      }
      await flush();
    });

    // A group counts as told when the notifiers say a receiver took its message (notify/told.ts).
    const receipts = await bus.subscribe(topics.allNotified, (message) => {
      const receipt = parseReceipt(message.payload);
      if (!receipt) return log.warn({ topic: message.topic }, 'notification receipt unreadable, ignored');
      if (!stage.receipt(receipt)) log.debug(receipt, 'receipt for a message no longer awaited');
    });

    let running = Promise.resolve();
    const tick = async (): Promise<void> => {
      const now = Date.now();
      engine.tick(now);
      for (const id of silences.expire(now)) {
        log.info({ id }, 'silence ended');
        silenceChanges += 1;
        silenceTopics.set(id, null);
      }
      stage.tick(now);
      await flush();
      for (const output of recorder.due(now)) {
        await bus.publish(topics.metrics(output.source, output.metric.measurement), output.line);
      }
      await save();
      await publishStats();
    };
    await flush(); // the silences restored from the state file and the config
    ready();
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
      await cleanup;
      await metrics.unsubscribe();
      await statuses.unsubscribe();
      await requests.unsubscribe();
      await receipts.unsubscribe();
      await save().catch((error: unknown) =>
        log.error({ err: errorMessage(error) }, 'alarm state not saved'),
      );
    }
  },
};
