/**
 * Keyspace notifications for `notify` selections: a second connection PSUBSCRIBEs to
 * `__keyspace@<db>__:<match>` and hands each changed key to its selection. Redis sends them only
 * when `notify-keyspace-events` holds K (keyspace channel) and the classes of the commands ($ for
 * strings, h for hashes); it is off by default, and a restart resets a value set by CONFIG SET. So
 * the setting is checked on every (re)connect, and set only if the config allows it. Notifications
 * are fire-and-forget (lost while disconnected): the selection's interval reads stay the safety net.
 * https://redis.io/docs/latest/develop/use/keyspace-notifications/
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../../core/runtime/errors.js';
import type { Logger } from '../../core/runtime/logger.js';
import type { RedisConfig } from './config.js';
import type { SelectionPoller } from './selection-poller.js';

/** Commands whose event means the value changed (del/expired/evicted: nothing left to read). */
const CHANGE_EVENTS = new Set([
  'set',
  'setrange',
  'append',
  'incrby',
  'incrbyfloat',
  'decrby',
  'hset',
  'hdel',
  'hincrby',
  'hincrbyfloat',
  'rename_to',
  'restore',
  'copy_to',
]);

export interface Notifications {
  /** Checks (and maybe sets) notify-keyspace-events; call on every connect. */
  ensureEnabled(): Promise<void>;
  /** Redis sends notifications and the subscription is confirmed. */
  readonly enabled: boolean;
  close(): void;
}

export async function startNotifications(options: {
  config: RedisConfig;
  redis: Redis;
  subscriber: Redis;
  pollers: readonly SelectionPoller[];
  log: Logger;
}): Promise<Notifications> {
  const { config, redis, subscriber, log } = options;
  const prefix = `__keyspace@${config.db}__:`;
  const byPattern = new Map<string, SelectionPoller>();
  for (const poller of options.pollers) {
    const selection = config.selections.find((s) => s.name === poller.name);
    if (selection?.notify) byPattern.set(`${prefix}${selection.match}`, poller);
  }
  let enabled = false;

  subscriber.on('pmessage', (pattern: string, channel: string, event: string) => {
    if (!CHANGE_EVENTS.has(event)) return;
    byPattern.get(pattern)?.changed(channel.slice(prefix.length));
  });
  // The main connection reports outages (status, counters); this one only reconnects quietly.
  subscriber.on('error', (error: Error) =>
    log.debug({ reason: error.message }, 'Redis notification connection error'),
  );
  subscriber.on('close', () => (subscribed = false));
  // Subscribing again is done here rather than by ioredis (autoResubscribe is off), so that
  // `subscribed` is true only once Redis confirmed, and changes missed while the connection was
  // down are caught up by one full read of the notify selections.
  let subscribed = false;
  let connects = 0;
  subscriber.on('ready', () => {
    const again = connects++ > 0;
    subscriber
      .psubscribe(...byPattern.keys())
      .then(() => {
        subscribed = true;
        if (again) for (const poller of byPattern.values()) void poller.readAll();
      })
      .catch((error: unknown) =>
        log.warn({ reason: errorMessage(error) }, 'could not subscribe to keyspace notifications'),
      );
  });
  await subscriber.connect();

  async function ensureEnabled(): Promise<void> {
    try {
      const reply = (await redis.config('GET', 'notify-keyspace-events')) as string[];
      const flags = reply[1] ?? '';
      const hasClass = (c: string): boolean => flags.includes(c) || flags.includes('A');
      if (flags.includes('K') && hasClass('$') && hasClass('h')) {
        enabled = true;
        return;
      }
      if (!config.configureKeyspaceEvents) {
        enabled = false;
        log.warn(
          { flags },
          'Redis keyspace notifications are off (notify-keyspace-events lacks K$h): notify selections are read on their interval only. ' +
            'Run CONFIG SET notify-keyspace-events K$h on the server, or set bridges.redis.configureKeyspaceEvents',
        );
        return;
      }
      const wanted = [...new Set(`${flags}K$h`)].join('');
      await redis.config('SET', 'notify-keyspace-events', wanted);
      enabled = true;
      log.info({ flags: wanted }, 'turned on Redis keyspace notifications');
    } catch (error) {
      enabled = false;
      log.warn(
        { reason: errorMessage(error) },
        'could not check or set notify-keyspace-events (CONFIG refused?): notify selections are read on their interval only',
      );
    }
  }

  return {
    ensureEnabled,
    get enabled() {
      return enabled && subscribed;
    },
    close() {
      subscriber.disconnect();
    },
  };
}
