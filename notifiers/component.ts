/**
 * The notifiers component: subscribes to every route's topic filter and hands each live message to
 * the router. Retained messages (sent because the subscription is new) are state, not events: they
 * are skipped, so a restart does not announce every retained alarm again. It also follows the active
 * silences, which the router applies to routes on the alarm state topics.
 */
import type { Component, ComponentContext } from '../core/runtime/component.js';
import { NOTIFICATION_DEAD_RULE } from '../alarms/alarm.js';
import { silenceTopicUpdate } from '../alarms/silence-client.js';
import { aborted } from '../core/util/abortable.js';
import type { BusSubscription } from '../core/bus/bus.js';
import type { NotifiersConfig } from './config.js';
import type { TelegramBot } from './bot/bot.js';
import { describeError } from './bot/redact.js';
import { DeliveryRecord } from './router/delivery-record.js';
import { Router } from './router/router.js';
import type { HistoryReadTarget } from '../history/config.js';
import { readTarget } from '../history/open.js';

/** How often the router's counters are published on <base>/stats/notifiers (when they changed). */
const STATS_INTERVAL_MS = 2_000;

/** The notifiers section, and where the history store is (charts), when it is on. */
export type NotifiersComponentConfig = NotifiersConfig & {
  readonly historyPath?: string | undefined;
  /** Where history is read from (`history.read`); default: the store at historyPath. */
  readonly historyRead?: HistoryReadTarget | undefined;
};

export const notifiersComponent: Component<NotifiersComponentConfig> = {
  kind: 'notifiers',
  async run(context: ComponentContext<NotifiersComponentConfig>): Promise<void> {
    const { config, log, bus, topics, signal, ready, allStarted } = context;
    const record = new DeliveryRecord(config.recordPath);
    const history = readTarget(config.historyPath, config.historyRead);
    const router = new Router(config, { log, bus, topics, history, record });
    const subscriptions: BusSubscription[] = [];
    let bot: TelegramBot | undefined;
    try {
      // What the notification_dead alarms say, so a route delivering again after a restart resolves its own.
      subscriptions.push(
        await bus.subscribe(topics.alarmsOf(NOTIFICATION_DEAD_RULE), (message) => {
          router.knownDeadAlarm(message.topic.slice(message.topic.lastIndexOf('/') + 1), message.payload);
        }),
      );
      // Silences first: their retained topics arrive before the routes take any alarm.
      subscriptions.push(
        await bus.subscribe(topics.allSilences, (message) => {
          const { id, silence } = silenceTopicUpdate(message);
          router.silences.set(id, silence);
        }),
      );
      for (const filter of router.filters) {
        subscriptions.push(
          await bus.subscribe(filter, (message) => {
            if (!message.retain) router.route(message.topic, message.payload);
          }),
        );
      }
      log.info({ routes: config.routes.length, filters: router.filters }, 'notifiers started');
      // Counters per target (delivered, retried, failed, queued) and failed-over/lost, for /metrics.
      context.publishStats(() => router.stats(), { everyMs: STATS_INTERVAL_MS });
      if (config.bot.enabled) {
        // The router keeps running when the bot cannot start (an unreadable paired-chats file).
        try {
          const botLog = log.child({ bot: 'telegram' });
          // Loaded only when on: the bot brings the chart code (ECharts), most of a second to load.
          const { TelegramBot } = await import('./bot/bot.js');
          const starting = new TelegramBot({
            config: config.bot,
            bus,
            topics,
            log: botLog,
            history,
            externalUrl: config.externalUrl,
          });
          await starting.start();
          bot = starting;
        } catch (error) {
          log.error({ err: describeError(error, config.bot.token) }, 'telegram bot not started');
        }
      }
      ready();
      // Pending notifications from the previous run go out once every component listens: the alarms
      // component waits for their receipts, and subscribed later it would never hear them.
      void allStarted.then(() => {
        if (signal.aborted) return;
        const resumed = router.resume();
        if (resumed > 0) log.info({ resumed }, 'notifications from the previous run queued again');
      });
      await aborted(signal);
    } finally {
      await bot?.stop();
      await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
      await router.stop();
      record.close();
      log.info(router.stats(), 'notifiers stopped');
    }
  },
};
