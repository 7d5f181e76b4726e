import { busbarVersion } from '../core/runtime/version.js';

/** `busbar <version> (aedes <version>)` for `$SYS/broker/version`. Read once, at broker start. */
export function brokerVersion(aedesVersion: string): string {
  return `busbar ${busbarVersion()} (aedes ${aedesVersion})`;
}
