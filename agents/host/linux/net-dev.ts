/**
 * /proc/net/dev: two header lines, then `iface: ` followed by 8 receive counters (bytes packets errs
 * drop fifo frame compressed multicast) and 8 transmit counters (bytes packets errs drop fifo colls
 * carrier compressed). The name and the first counter may touch (`eth0:123`) when the number is wide.
 */
import type { NetCounters } from '../readings.js';
import { isCount } from './diskstats.js';

export function parseNetDev(text: string): NetCounters[] {
  const interfaces: NetCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const counters = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (!name || counters.length < 16 || !counters.every(isCount)) continue;
    const at = (index: number): bigint => BigInt(counters[index]!);
    interfaces.push({
      name,
      bytesRecv: at(0),
      packetsRecv: at(1),
      errIn: at(2),
      dropIn: at(3),
      bytesSent: at(8),
      packetsSent: at(9),
      errOut: at(10),
      dropOut: at(11),
    });
  }
  return interfaces;
}
