/** Counters of one device, published in `<base>/stats/snmp` under the device's name. */
export type DeviceState = 'unknown' | 'online' | 'offline';

export class DeviceStats {
  state: DeviceState = 'unknown';
  polls = 0;
  /** Polls in which the device did not answer (each one counted). */
  failedPolls = 0;
  consecutiveFailures = 0;
  /** Polls (with their wait for a slot) that took longer than the device's interval. */
  overruns = 0;
  /** Field-level problems: missing OIDs, values that are not numbers. */
  fieldErrors = 0;
  /** Of those, table instances whose index does not fit the walk (never published). */
  indexErrors = 0;
  /** Readings the device marked as "no reading" (APC's -1): not published, not errors. */
  unavailable = 0;
  metrics = 0;
  /** Metric messages that could not be published (bus closing). */
  publishErrors = 0;
  /** The profiles `auto` chose from sysObjectID. */
  profiles: string[] | undefined;
  lastPollMs: number | undefined;
  lastError: string | undefined;
  lastPollAt: string | undefined;

  toJSON(): Record<string, unknown> {
    return {
      state: this.state,
      polls: this.polls,
      failedPolls: this.failedPolls,
      consecutiveFailures: this.consecutiveFailures,
      overruns: this.overruns,
      fieldErrors: this.fieldErrors,
      indexErrors: this.indexErrors,
      unavailable: this.unavailable,
      metrics: this.metrics,
      publishErrors: this.publishErrors,
      profiles: this.profiles,
      lastPollMs: this.lastPollMs,
      lastError: this.lastError,
      lastPollAt: this.lastPollAt,
    };
  }
}
