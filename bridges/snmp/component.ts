/**
 * The SNMP bridge: every configured device polled on its own schedule, at most `concurrency` at a
 * time, metrics published as line protocol on `<base>/metrics/<device>/<measurement>`, device
 * status on `<base>/status/<device>` and counters on `<base>/stats/<id>` (`busbar/stats/snmp`);
 * with `traps`, a trap receiver publishing on `<base>/events/<device>` (trap-receiver.ts).
 */
import { setMaxListeners } from 'node:events';
import type { Component } from '../../core/runtime/component.js';
import { Limiter } from '../common/limiter.js';
import { PeriodicLog } from '../../core/util/log-throttle.js';
import { aborted } from '../../core/util/abortable.js';
import type { SnmpConfig } from './config.js';
import { DevicePoller } from './device-poller.js';
import { TrapReceiver } from './trap-receiver.js';

export const snmpBridgeComponent: Component<SnmpConfig> = {
  kind: 'snmp-bridge',
  async run(context) {
    const { config, bus, topics, log } = context;
    // One listener on the supervisor's signal; every device loop listens on this one, whose
    // listener limit is sized for them (Node warns past 10 listeners).
    const stop = new AbortController();
    setMaxListeners(4 * config.devices.length + 10, stop.signal);
    const signal = stop.signal;
    context.signal.addEventListener('abort', () => stop.abort(), { once: true });
    if (context.signal.aborted) stop.abort();
    const limiter = new Limiter(config.concurrency);
    const throttle = new PeriodicLog();
    const pollers = config.devices.map(
      (device) =>
        new DevicePoller({ device, bus, topics, log, limiter, throttle, profiles: config.profiles }),
    );
    const traps =
      config.traps &&
      new TrapReceiver({
        config: config.traps,
        devices: config.devices,
        mibDirs: config.mibDirs,
        bus,
        topics,
        log,
        throttle,
      });

    const stats = context.publishStats(
      () => ({
        devices: Object.fromEntries(pollers.map((poller) => [poller.name, poller.stats.toJSON()])),
        online: pollers.filter((poller) => poller.stats.state === 'online').length,
        offline: pollers.filter((poller) => poller.stats.state === 'offline').length,
        polling: limiter.running,
        waitingForSlot: limiter.queued,
        ...(traps && { traps: traps.stats }),
        at: new Date().toISOString(),
      }),
      { everyMs: config.statsInterval },
    );

    log.info({ devices: pollers.map((poller) => poller.name) }, 'SNMP bridge polling');
    traps?.start();
    context.ready();
    try {
      // Each device runs its own loop: one that times out never holds back the next poll of another.
      await Promise.all([...pollers.map((poller) => poller.run(signal)), aborted(signal)]);
    } finally {
      await traps?.close();
      await stats.publish();
    }
  },
};
