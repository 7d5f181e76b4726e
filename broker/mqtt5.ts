/**
 * The MQTT 5 limits busbar's broker advertises and enforces, from `broker.*` settings. Aedes applies
 * them to MQTT 5 clients only; 3.1.1 clients are unaffected. Durations in config are milliseconds;
 * MQTT counts seconds.
 */
import type { AedesOptions } from 'aedes';
import type { BrokerConfig } from './config.js';

type Mqtt5Options = Pick<
  AedesOptions,
  | 'topicAliasMaximum'
  | 'maximumPacketSize'
  | 'keepaliveLimit'
  | 'sessionExpiryIntervalLimit'
  | 'pendingSessionsLimit'
>;

export function mqtt5Options(config: BrokerConfig): Mqtt5Options {
  return {
    topicAliasMaximum: config.topicAliasMaximum,
    // Advertised in CONNACK so a client never sends what would close its connection.
    maximumPacketSize: config.maxPacketSize,
    keepaliveLimit: Math.ceil(config.maxKeepAlive / 1000),
    sessionExpiryIntervalLimit: Math.ceil(config.maxSessionExpiry / 1000),
    pendingSessionsLimit: config.maxPendingSessions,
  };
}
