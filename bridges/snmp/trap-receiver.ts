/**
 * The SNMP trap receiver (net-snmp's receiver: v1 traps, v2c and v3 traps, and informs, which it
 * acknowledges). Each trap is published twice: as a JSON event on `<base>/events/<device>` (what
 * happened, for people and logs), and as a point of measurement `trap` (tag `trap`: its MIB name or
 * OID; field `count` = 1) on `<base>/metrics/<device>/trap`, which alarm rules match like any
 * metric. The device is the configured device whose `host` sent it, else the sender's address.
 */
import * as snmp from 'net-snmp';
import type { Bus } from '../../core/bus/bus.js';
import { serializeLineProtocol } from '../../core/codecs/line-protocol.js';
import type { PeriodicLog } from '../../core/util/log-throttle.js';
import type { Logger } from '../../core/runtime/logger.js';
import { nowNs } from '../../core/codecs/metric.js';
import type { Topics } from '../../core/topics.js';
import type { SnmpDeviceConfig } from './config.js';
import type { SnmpTrapsConfig } from './traps-config.js';
import { mibNames, type MibNames } from './mib-names.js';
import { usmUser } from './session.js';
import { trapEvent, type ReceivedTrap, type TrapEvent } from './trap-event.js';

export interface TrapReceiverOptions {
  readonly config: SnmpTrapsConfig;
  readonly devices: readonly SnmpDeviceConfig[];
  readonly mibDirs: readonly string[];
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  readonly throttle: PeriodicLog;
}

export class TrapReceiver {
  readonly stats = { received: 0, refused: 0, publishErrors: 0, socketErrors: 0 };
  private receiver: { close(callback?: () => void): void } | undefined;
  private names: MibNames | undefined;

  constructor(private readonly options: TrapReceiverOptions) {}

  start(): void {
    const { config, log } = this.options;
    // Names make events readable; loading the MIBs is worth it once, here, not per trap.
    this.names = mibNames(this.options.mibDirs);
    const receiver = snmp.createReceiver(
      {
        port: config.port,
        address: config.address,
        includeAuthentication: true,
        disableAuthorization: false,
      },
      (error: Error | null, notification?: ReceivedTrap) => {
        if (error) return this.refused(error);
        if (notification) void this.received(notification);
      },
    );
    const authorizer = receiver.getAuthorizer();
    for (const community of config.communities) authorizer.addCommunity(community);
    for (const user of config.users) authorizer.addUser(usmUser(user));
    this.receiver = receiver;
    log.info({ address: config.address, port: config.port }, 'SNMP trap receiver listening');
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.receiver) return resolve();
      this.receiver.close(() => resolve());
      this.receiver = undefined;
    });
  }

  /** A trap with an unknown community, or that could not be decoded: counted, logged without the community. */
  private refused(error: Error): void {
    // The socket's own errors (EADDRINUSE, EACCES on port 162) come the same way: no trap was refused.
    if ('code' in error && typeof error.code === 'string') {
      this.stats.socketErrors++;
      const { address, port } = this.options.config;
      this.options.log.error(
        { address, port, code: error.code },
        `SNMP trap receiver cannot use ${address}:${port}: ${error.message}`,
      );
      return;
    }
    this.stats.refused++;
    const from = (error as { rinfo?: { address?: string } }).rinfo?.address ?? 'unknown';
    const reason = /communit|user/i.test(error.message) ? 'unknown community or user' : error.name;
    this.options.throttle.run(`trap refused ${from} ${reason}`, (suppressed) =>
      this.options.log.warn({ from, reason, suppressed }, `SNMP trap from ${from} refused: ${reason}`),
    );
  }

  private async received(notification: ReceivedTrap): Promise<void> {
    this.stats.received++;
    const event = trapEvent(notification, (addresses) => this.deviceOf(addresses), this.names);
    const { bus, topics, log } = this.options;
    try {
      await bus.publish(topics.events(event.device), JSON.stringify(event));
      await bus.publish(topics.metrics(event.device, 'trap'), serializeLineProtocol([trapPoint(event)]));
    } catch (error) {
      this.stats.publishErrors++;
      log.error({ device: event.device, err: error }, 'could not publish an SNMP trap');
    }
  }

  private deviceOf(addresses: string[]): string {
    for (const address of addresses) {
      const device = this.options.devices.find((candidate) => candidate.host === address);
      if (device) return device.name;
    }
    return addresses[addresses.length - 1]!;
  }
}

function trapPoint(event: TrapEvent) {
  return {
    measurement: 'trap',
    tags: { device: event.device, trap: event.trap.name ?? event.trap.oid },
    fields: { count: { type: 'float' as const, value: 1 } },
    timestamp: nowNs(),
  };
}
