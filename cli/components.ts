import type { Config } from '../config/schema.js';
import type { Component } from '../core/component.js';
import { ingestComponent } from '../core/ingest/ingest-component.js';
import { hostAgentComponent } from '../agents/host/component.js';
import { historyComponent } from '../sinks/history/history-component.js';
import { influxV1Component } from '../sinks/influx-v1/influx-v1-sink.js';
import { influxV2Component } from '../sinks/influx-v2/influx-v2-sink.js';
import { bridgesComponent } from '../broker/bridge/component.js';
import { snmpBridgeComponent } from '../bridges/snmp/component.js';
import { redisBridgeComponent } from '../bridges/redis/component.js';
import { webComponent } from '../web/component.js';
import { alarmsComponent } from '../alarms/component.js';

/**
 * Every component `busbar start` runs. Adding a bridge, sink or notifier is one line here: its
 * id, its component, and the config section it receives (undefined: not configured, not started).
 */
export interface Registration {
  readonly id: string;
  readonly component: Component<never>;
  readonly section: (config: Config) => unknown;
}

function register<C>(
  id: string,
  component: Component<C>,
  section: (config: Config) => C | undefined,
): Registration {
  return { id, component: component as Component<never>, section };
}

export const registrations: readonly Registration[] = [
  register('ingest', ingestComponent, (config) => config.ingest),
  register('agent', hostAgentComponent, (config) => (config.agent.enabled ? config.agent : undefined)),
  register('history', historyComponent, (config) =>
    config.sinks.history.enabled ? config.sinks.history : undefined,
  ),
  register('influxdb', influxV2Component, (config) => config.sinks.influxdb),
  register('influxdb1', influxV1Component, (config) => config.sinks.influxdb1),
  register('remotes', bridgesComponent, (config) =>
    config.remotes.bridges.length > 0 ? config.remotes : undefined,
  ),
  register('snmp', snmpBridgeComponent, (config) => config.bridges.snmp),
  register('redis', redisBridgeComponent, (config) => config.bridges.redis),
  register('alarms', alarmsComponent, (config) => (config.alarms.enabled ? config.alarms : undefined)),
  register('web', webComponent, (config) =>
    config.web.enabled
      ? {
          ...config.web,
          users: config.broker.users,
          acl: config.broker.acl,
          historyPath: config.sinks.history.enabled ? config.sinks.history.path : undefined,
        }
      : undefined,
  ),
];
