/**
 * One poll of one device: GET the scalars, walk the table columns, turn what came back into
 * metrics. A missing OID or a value that is not a number is a problem of that field only; a device
 * that does not answer at all fails the whole poll, and the poll stops there instead of timing out
 * once per remaining request.
 */
import { nowNs, setEntry, type Field, type Metric } from '../../core/metric.js';
import type { SnmpDeviceConfig, SnmpGetConfig, SnmpWalkConfig } from './config.js';
import type { PollPlan } from './plan.js';
import type { RateTracker } from './rates.js';
import type { SnmpClient, Varbind } from './session.js';
import { numberOf, readVarbind, textOf, type Reading } from './values.js';

export interface PollResult {
  readonly metrics: Metric[];
  /** Field-level problems: `1.3.6.1.2.1.1.3.0 (system.uptime_s): NoSuchObject`. */
  readonly problems: string[];
}

type ValueSpec = Pick<SnmpGetConfig, 'name' | 'scale' | 'rate' | 'type'>;

export async function pollDevice(
  device: SnmpDeviceConfig,
  plan: PollPlan,
  client: SnmpClient,
  rates: RateTracker,
  now: () => number = () => performance.now(),
): Promise<PollResult> {
  const metrics: Metric[] = [];
  const problems: string[] = [];

  if (plan.gets.length > 0) {
    const values = await client.get(plan.gets.map((get) => get.oid));
    const at = now();
    const timestamp = nowNs();
    const byMeasurement = new Map<string, Metric>();
    plan.gets.forEach((get, index) => {
      const fetched = values[index]!;
      const where = `${get.oid} (${get.measurement}.${get.name})`;
      if (fetched.error !== undefined) return void problems.push(`${where}: ${fetched.error}`);
      const field = toField(readVarbind(fetched.varbind), get, get.oid, rates, at);
      if (typeof field === 'string') return void problems.push(`${where}: ${field}`);
      if (field === undefined) return;
      let metric = byMeasurement.get(get.measurement);
      if (!metric) {
        metric = { measurement: get.measurement, tags: { ...plan.tags }, fields: {}, timestamp };
        byMeasurement.set(get.measurement, metric);
      }
      setEntry(metric.fields, get.name, field);
    });
    metrics.push(...byMeasurement.values());
  }

  for (const walk of plan.walks) {
    metrics.push(...(await walkTable(device, plan, walk, client, rates, now, problems)));
  }
  return { metrics, problems };
}

async function walkTable(
  device: SnmpDeviceConfig,
  plan: PollPlan,
  walk: SnmpWalkConfig,
  client: SnmpClient,
  rates: RateTracker,
  now: () => number,
  problems: string[],
): Promise<Metric[]> {
  const rows = new Map<string, Metric>();
  const timestamp = nowNs();
  const row = (index: string): Metric => {
    let metric = rows.get(index);
    if (!metric) {
      const tags = { ...plan.tags, [walk.indexTag]: index };
      const machine = walk.outlet ? device.outlets[index] : undefined;
      if (machine !== undefined) tags.machine = machine;
      metric = { measurement: walk.measurement, tags, fields: {}, timestamp };
      rows.set(index, metric);
    }
    return metric;
  };

  for (const column of walk.columns) {
    const varbinds = await client.walk(column.oid);
    const at = now();
    if (varbinds.length === 0)
      problems.push(`${column.oid} (${walk.measurement}.${column.name}): empty column`);
    for (const varbind of varbinds) {
      const index = rowIndex(column.oid, varbind);
      const field = toField(readVarbind(varbind), column, varbind.oid, rates, at);
      if (typeof field === 'string')
        problems.push(`${varbind.oid} (${walk.measurement}.${column.name}): ${field}`);
      else if (field !== undefined) setEntry(row(index).fields, column.name, field);
    }
  }
  // Tag columns name the rows the field columns found; a tag column alone creates no row.
  for (const [tag, oid] of Object.entries(walk.tags)) {
    for (const varbind of await client.walk(oid)) {
      const metric = rows.get(rowIndex(oid, varbind));
      // Line protocol allows no line breaks in tag values; device strings sometimes hold them.
      const text = textOf(readVarbind(varbind))
        .replace(/[\r\n\t]+/g, ' ')
        .trim();
      if (metric && text.length > 0) setEntry(metric.tags, tag, text);
    }
  }
  return [...rows.values()].filter((metric) => Object.keys(metric.fields).length > 0);
}

function rowIndex(columnOid: string, varbind: Varbind): string {
  return varbind.oid.slice(columnOid.length + 1);
}

/** The field, undefined when a rate has no previous reading yet, or a string saying what is wrong. */
function toField(
  reading: Reading,
  spec: ValueSpec,
  key: string,
  rates: RateTracker,
  at: number,
): Field | string | undefined {
  if (spec.type === 'string') return { type: 'string', value: textOf(reading) };
  const number = numberOf(reading);
  if (typeof number === 'string') return number;
  let value = number;
  if (spec.rate) {
    const rate = rates.rate(key, reading.kind === 'number' && reading.counter ? reading.counter : number, at);
    if (rate === undefined) return undefined;
    value = rate;
  }
  // toPrecision(12) drops binary noise such as 0.1 * 53 = 5.300000000000001.
  const scaled = Number((value * spec.scale).toPrecision(12));
  return Number.isFinite(scaled)
    ? { type: 'float', value: scaled }
    : `not a finite number after scale ${spec.scale}`;
}
