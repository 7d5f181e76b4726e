/** The broker's counters as published on `<base>/stats/broker`, read in-process (no MQTT client). */
import type { EmbeddedBroker } from '../../broker/broker.js';
import type { BrokerStats } from '../../broker/sys-stats.js';
import { waitFor } from '../helpers/mqtt-clients.js';

export interface StatsWatch {
  /** The first statistics published that satisfy `predicate`. */
  when(predicate: (stats: BrokerStats) => boolean, what: string): Promise<BrokerStats>;
}

/** Needs a broker started with a short `sysInterval` and the base topic `busbar`. */
export async function watchStats(broker: EmbeddedBroker): Promise<StatsWatch> {
  let latest: BrokerStats | undefined;
  await new Promise<void>((resolve) =>
    broker.aedes.subscribe(
      'busbar/stats/broker',
      (packet, callback) => {
        latest = JSON.parse(packet.payload.toString()) as BrokerStats;
        callback();
      },
      resolve,
    ),
  );
  return {
    async when(predicate, what) {
      await waitFor(() => latest !== undefined && predicate(latest), what, 10_000);
      return latest!;
    },
  };
}
