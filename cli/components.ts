import type { LiveCredentials } from '../broker/live-credentials.js';
import type { Config } from '../config/schema.js';
import type { Component } from '../core/runtime/component.js';
import { historyReadTarget } from '../history/config.js';

/**
 * Every component `busbar start` runs. Adding a bridge, sink or notifier is one line here: its
 * id, its component, and the config section it receives (undefined: not configured, not started).
 */
export interface Registration {
  readonly id: string;
  /**
   * Imports the component's module. Only configured components are loaded: a module's code costs
   * memory, and measurably CPU per message in the broker's process, even when it never runs.
   */
  readonly load: () => Promise<Component<never>>;
  readonly section: (config: Config, credentials: LiveCredentials) => unknown;
}

function register<C>(
  id: string,
  load: () => Promise<Component<C>>,
  section: (config: Config, credentials: LiveCredentials) => C | undefined,
): Registration {
  return { id, load: load as () => Promise<Component<never>>, section };
}

export const registrations: readonly Registration[] = [
  register(
    'ingest',
    async () => (await import('../ingest/ingest-component.js')).ingestComponent,
    (config) => config.ingest,
  ),
  register(
    'agent',
    async () => (await import('../agents/host/component.js')).hostAgentComponent,
    (config) => (config.agent.enabled ? config.agent : undefined),
  ),
  register(
    'history',
    async () => (await import('../sinks/history/history-component.js')).historyComponent,
    (config) => (config.sinks.history.enabled ? config.sinks.history : undefined),
  ),
  register(
    'influxdb',
    async () => (await import('../sinks/influx-v2/influx-v2-sink.js')).influxV2Component,
    (config) => config.sinks.influxdb,
  ),
  register(
    'influxdb1',
    async () => (await import('../sinks/influx-v1/influx-v1-sink.js')).influxV1Component,
    (config) => config.sinks.influxdb1,
  ),
  register(
    'remotes',
    async () => (await import('../remotes/component.js')).remotesComponent,
    (config) => (config.remotes.bridges.length > 0 ? config.remotes : undefined),
  ),
  register(
    'snmp',
    async () => (await import('../bridges/snmp/component.js')).snmpBridgeComponent,
    (config) => config.bridges.snmp,
  ),
  register(
    'redis',
    async () => (await import('../bridges/redis/component.js')).redisBridgeComponent,
    (config) => config.bridges.redis,
  ),
  register(
    'alarms',
    async () => (await import('../alarms/component.js')).alarmsComponent,
    (config) =>
      config.alarms.enabled
        ? {
            ...config.alarms,
            historyPath: config.sinks.history.enabled ? config.sinks.history.path : undefined,
            historyRead: historyReadTarget(config.history, config.sinks),
            // The routing tree groups alarms here, whether the notifiers run in this process or not.
            routes: config.notifiers.routes,
            timeIntervals: config.notifiers.timeIntervals,
          }
        : undefined,
  ),
  register(
    'notifiers',
    async () => (await import('../notifiers/component.js')).notifiersComponent,
    (config) =>
      config.notifiers.enabled
        ? {
            ...config.notifiers,
            historyPath: config.sinks.history.enabled ? config.sinks.history.path : undefined,
            historyRead: historyReadTarget(config.history, config.sinks),
          }
        : undefined,
  ),
  register(
    'web',
    async () => (await import('../web/component.js')).webComponent,
    (config, credentials) =>
      config.web.enabled
        ? {
            ...config.web,
            credentials,
            maxPacketSize: config.broker.maxPacketSize,
            historyPath: config.sinks.history.enabled ? config.sinks.history.path : undefined,
            historyRead: historyReadTarget(config.history, config.sinks),
          }
        : undefined,
  ),
];
