/**
 * The life of one device inside the bridge: poll every `interval` (never two polls of one device
 * at once), publish what came back, and keep its state. A device that does not answer is `offline`
 * on `<base>/status/<device>` until a poll succeeds again; while offline it is probed without
 * retries and outside the concurrency limit, so a dead device holds a slot for one failed poll only.
 */
import type { Bus } from '../../core/bus/bus.js';
import { errorMessage } from '../../core/runtime/errors.js';
import { serializeLineProtocol } from '../../core/codecs/line-protocol.js';
import type { Logger } from '../../core/runtime/logger.js';
import { validateMetric, type Metric } from '../../core/codecs/metric.js';
import type { Topics } from '../../core/topics.js';
import type { Limiter } from '../common/limiter.js';
import type { PeriodicLog } from '../../core/util/log-throttle.js';
import { sleep } from '../../core/util/abortable.js';
import { StatusPublisher } from '../common/status.js';
import type { Profiles, SnmpDeviceConfig } from './config.js';
import { DeviceStats } from './device-stats.js';
import { buildPlan, type PollPlan } from './plan.js';
import { pollDevice } from './poll.js';
import { RateTracker } from './rates.js';
import { openSession, type SnmpClient } from './session.js';
import { profilesFor, SYS_OBJECT_ID } from './profiles/auto.js';
import { readVarbind, textOf } from './values.js';

export interface DevicePollerOptions {
  readonly device: SnmpDeviceConfig;
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  readonly limiter: Limiter;
  readonly throttle: PeriodicLog;
  /** The profiles the device can name: the config's `profiles`; the shipped ones by default. */
  readonly profiles?: Profiles;
}

export class DevicePoller {
  readonly stats = new DeviceStats();
  private plan: PollPlan;
  /** `profiles: [auto]` still to be resolved from sysObjectID. */
  private autoPending: boolean;
  private readonly rates = new RateTracker();
  private readonly status: StatusPublisher;
  private client: SnmpClient | undefined;
  private clientRetries = -1;
  private stopping = false;

  constructor(private readonly options: DevicePollerOptions) {
    this.plan = buildPlan(options.device, options.profiles);
    this.autoPending = options.device.profiles.includes('auto');
    this.status = new StatusPublisher(options.bus, options.topics, options.device.name);
  }

  get name(): string {
    return this.options.device.name;
  }

  /** Polls until `signal` aborts; each poll starts `interval` after the previous one started. */
  async run(signal: AbortSignal): Promise<void> {
    // Closing the session cancels a request in flight, so stopping never waits out a timeout.
    const stop = (): void => {
      this.stopping = true;
      this.closeClient();
    };
    signal.addEventListener('abort', stop, { once: true });
    try {
      while (!signal.aborted) {
        const started = performance.now();
        // An offline device is probed outside the limit: its single request mostly waits for a
        // timeout, and must not keep a slot from the devices that answer.
        if (this.stats.state === 'offline') await this.pollOnce();
        else await this.options.limiter.run(() => (signal.aborted ? Promise.resolve() : this.pollOnce()));
        this.checkOverrun(performance.now() - started);
        await sleep(started + this.options.device.interval - performance.now(), signal);
      }
    } finally {
      signal.removeEventListener('abort', stop);
      this.closeClient();
    }
  }

  /**
   * A poll (with its wait for a slot) that took longer than `interval` delays the next one: the
   * device is read less often than configured. Counted and logged, never silent.
   */
  private checkOverrun(tookMs: number): void {
    const { device, log, throttle } = this.options;
    if (tookMs <= device.interval || this.stopping) return;
    this.stats.overruns++;
    throttle.run(`${device.name} overrun`, (suppressed) =>
      log.warn(
        { device: device.name, tookMs: Math.round(tookMs), intervalMs: device.interval, suppressed },
        `SNMP device ${device.name}: a poll took ${Math.round(tookMs)} ms, longer than its interval of ${device.interval} ms`,
      ),
    );
  }

  /** One poll, its publishing and its bookkeeping; never throws. */
  async pollOnce(): Promise<void> {
    const { device, log } = this.options;
    const stats = this.stats;
    const started = performance.now();
    stats.polls++;
    try {
      if (this.autoPending) await this.resolveAuto();
      const result = await pollDevice(device, this.plan, this.session(), this.rates, () => performance.now());
      stats.lastPollMs = Math.round(performance.now() - started);
      stats.lastPollAt = new Date().toISOString();
      this.rates.prune(performance.now() - 3 * Math.max(device.interval, device.timeout));
      await this.recovered();
      stats.fieldErrors += result.problems.length;
      stats.indexErrors += result.indexErrors;
      stats.unavailable += result.unavailable;
      for (const problem of result.problems) {
        this.options.throttle.run(`${device.name} ${problem}`, (suppressed) =>
          log.warn({ device: device.name, suppressed }, `SNMP device ${device.name}: ${problem}`),
        );
      }
      await this.publish(result.metrics);
    } catch (error) {
      // A request cancelled because the bridge is stopping says nothing about the device.
      if (!this.stopping) await this.failed(error);
    }
  }

  /** Replaces `auto` by the profiles of the device's sysObjectID; a device it cannot read fails the poll. */
  private async resolveAuto(): Promise<void> {
    const { device, log } = this.options;
    const [fetched] = await this.session().get([SYS_OBJECT_ID]);
    const sysObjectId = fetched?.error === undefined && fetched ? textOf(readVarbind(fetched.varbind)) : '';
    const chosen = profilesFor(sysObjectId, this.options.profiles) ?? [];
    this.autoPending = false;
    this.stats.profiles = chosen;
    const others = device.profiles.filter((profile) => profile !== 'auto');
    this.plan = buildPlan({ ...device, profiles: [...chosen, ...others] }, this.options.profiles);
    if (chosen.length > 0)
      log.info(
        { device: device.name, sysObjectId, profiles: chosen },
        `SNMP device ${device.name}: profiles ${chosen.join(', ')} from sysObjectID ${sysObjectId}`,
      );
    else
      log.warn(
        { device: device.name, sysObjectId },
        `SNMP device ${device.name}: no shipped profile knows sysObjectID ${sysObjectId || '(none)'}; profiles: auto chose nothing`,
      );
  }

  private async recovered(): Promise<void> {
    const { stats } = this;
    const failures = stats.consecutiveFailures;
    stats.consecutiveFailures = 0;
    stats.state = 'online';
    if ((await this.setStatus('online')) && failures > 0) {
      this.options.log.info(
        { device: this.name, failedPolls: failures },
        `SNMP device ${this.name} answers again after ${failures} failed poll(s)`,
      );
    }
  }

  /** Publishes the status on change; a bus that refuses it is counted, not mistaken for a device failure. */
  private async setStatus(state: 'online' | 'offline'): Promise<boolean> {
    try {
      return await this.status.set(state);
    } catch (error) {
      this.stats.publishErrors++;
      this.options.log.error({ device: this.name, err: error }, 'could not publish the device status');
      return false;
    }
  }

  private async failed(error: unknown): Promise<void> {
    const { stats, options } = this;
    const { device } = options;
    stats.failedPolls++;
    stats.consecutiveFailures++;
    stats.lastError = `${errorMessage(error)} (${device.host}:${device.port})`;
    stats.state = 'offline';
    // A fresh session next time: after an agent restart, v3 must discover its engine again.
    this.closeClient();
    if (await this.setStatus('offline')) {
      options.log.warn(
        { device: device.name, host: device.host, port: device.port, reason: errorMessage(error) },
        `SNMP device ${device.name} is offline: ${stats.lastError}`,
      );
    }
  }

  /** One message per measurement, as line protocol on `<base>/metrics/<device>/<measurement>`. */
  private async publish(metrics: Metric[]): Promise<void> {
    const byMeasurement = new Map<string, Metric[]>();
    for (const metric of metrics) {
      const problems = validateMetric(metric);
      if (problems.length > 0) {
        this.stats.fieldErrors++;
        const reason = problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
        this.options.throttle.run(`${this.name} invalid ${metric.measurement} ${reason}`, (suppressed) =>
          this.options.log.warn(
            { device: this.name, suppressed },
            `SNMP device ${this.name}: dropped a ${metric.measurement} metric: ${reason}`,
          ),
        );
        continue;
      }
      const list = byMeasurement.get(metric.measurement) ?? [];
      list.push(metric);
      byMeasurement.set(metric.measurement, list);
    }
    for (const [measurement, list] of byMeasurement) {
      try {
        await this.options.bus.publish(
          this.options.topics.metrics(this.name, measurement),
          serializeLineProtocol(list),
        );
        this.stats.metrics += list.length;
      } catch (error) {
        this.stats.publishErrors++;
        this.options.log.error(
          { device: this.name, measurement, err: error },
          'could not publish SNMP metrics',
        );
      }
    }
  }

  /** Offline devices get a session without retries: one timeout tells whether they are back. */
  private session(): SnmpClient {
    const retries = this.stats.state === 'offline' ? 0 : this.options.device.retries;
    if (this.client && this.clientRetries === retries) return this.client;
    this.closeClient();
    this.client = openSession(this.options.device, { retries });
    this.clientRetries = retries;
    return this.client;
  }

  private closeClient(): void {
    this.client?.close();
    this.client = undefined;
  }
}
