/**
 * One poll of one device: GET the scalars, walk the table columns, turn what came back into
 * metrics. A missing OID or a value that is not a number is a problem of that field only; a device
 * that does not answer at all fails the whole poll, and the poll stops there instead of timing out
 * once per remaining request.
 */
import { nowNs, setEntry, type Field, type Metric } from '../../core/codecs/metric.js';
import type { SnmpDeviceConfig, SnmpGetConfig, SnmpWalkConfig } from './config.js';
import type { PollPlan } from './plan.js';
import type { RateTracker } from './rates.js';
import type { SnmpClient } from './session.js';
import type { Varbind } from './values.js';
import { numberOf, readVarbind, textOf, type Reading } from './values.js';

export interface PollResult {
  readonly metrics: Metric[];
  /** Field-level problems: `1.3.6.1.2.1.1.3.0 (system.uptime_s): NoSuchObject`. */
  readonly problems: string[];
  /** Of those, instances whose index does not fit their walk (never published). */
  readonly indexErrors: number;
  /** Readings the device marked as "no reading" (a column's `unavailable` values), not published. */
  readonly unavailable: number;
}

type ValueSpec = Pick<SnmpGetConfig, 'name' | 'scale' | 'rate' | 'type' | 'unavailable'>;

export async function pollDevice(
  device: SnmpDeviceConfig,
  plan: PollPlan,
  client: SnmpClient,
  rates: RateTracker,
  now: () => number = () => performance.now(),
  walksInFlight = WALKS_IN_FLIGHT,
): Promise<PollResult> {
  const metrics: Metric[] = [];
  const problems: string[] = [];
  const counts: Counts = { indexErrors: 0, unavailable: 0 };
  // Columns walked once per poll however many fields read them (PDU2-MIB: six sensor types, one column).
  const walked = new Map<string, Promise<Varbind[]>>();
  const walk = (oid: string): Promise<Varbind[]> => {
    let rows = walked.get(oid);
    if (!rows) walked.set(oid, (rows = client.walk(oid)));
    return rows;
  };

  if (plan.gets.length > 0) {
    const values = await client.get(plan.gets.map((get) => get.oid));
    const at = now();
    const timestamp = nowNs();
    const byMeasurement = new Map<string, Metric>();
    plan.gets.forEach((get, index) => {
      const fetched = values[index]!;
      const where = `${get.oid} (${get.measurement}.${get.name})`;
      if (fetched.error !== undefined) return void problems.push(`${where}: ${fetched.error}`);
      const reading = readVarbind(fetched.varbind);
      if (isUnavailable(reading, get)) return void counts.unavailable++;
      const field = toField(reading, get, get.oid, rates, at);
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

  // Every column of every table is walked at once and in step, the columns sharing each GETBULK
  // (v2c, v3) or GETNEXT (v1): a poll takes about as many round trips as its longest column needs.
  const columns = walkedColumns(plan.walks);
  if (columns.length > 0) {
    for (const [oid, rows] of await client.walkColumns(columns, walksInFlight))
      walked.set(oid, Promise.resolve(rows));
  }
  for (const table of plan.walks) {
    metrics.push(...(await walkTable({ device, plan, table, walk, rates, now, problems, counts })));
  }
  return { metrics, problems, ...counts };
}

/** Walk requests of one device in flight at once (GETBULK; v1: GETNEXT of known rows): enough to hide round trips, few enough for a small agent. */
export const WALKS_IN_FLIGHT = 8;

/** Every column the tables read: fields, the columns their values depend on, and tags. */
function walkedColumns(tables: readonly SnmpWalkConfig[]): string[] {
  const oids = new Set<string>();
  for (const table of tables) {
    for (const column of table.columns) {
      oids.add(column.oid);
      for (const other of [column.digits, column.multiplyBy, column.divideBy])
        if (other !== undefined) oids.add(other);
    }
    for (const oid of Object.values(table.tags)) oids.add(oid);
  }
  return [...oids];
}

interface TableWalk {
  readonly device: SnmpDeviceConfig;
  readonly plan: PollPlan;
  readonly table: SnmpWalkConfig;
  readonly walk: (oid: string) => Promise<Varbind[]>;
  readonly rates: RateTracker;
  readonly now: () => number;
  readonly problems: string[];
  readonly counts: Counts;
}

interface Counts {
  indexErrors: number;
  unavailable: number;
}

/** Sub-identifiers a row index of `table` must have, when the table says. */
export function expectedIndexLength(table: SnmpWalkConfig): number | undefined {
  return table.indexLength ?? table.indexTags?.length ?? (table.outlet ? 1 : undefined);
}

async function walkTable(context: TableWalk): Promise<Metric[]> {
  const { device, plan, table, walk, rates, now, problems, counts } = context;
  const rows = new Map<string, Metric>();
  const timestamp = nowNs();
  const indexLength = expectedIndexLength(table);
  const row = (index: string): Metric => {
    let metric = rows.get(index);
    if (!metric) {
      const tags: Record<string, string> = { ...plan.tags };
      const parts = index.split('.');
      if (table.indexTags) {
        table.indexTags.forEach((tag, i) => {
          if (tag !== '-') tags[tag] = parts[i]!;
        });
      } else tags[table.indexTag] = index;
      const machine = table.outlet ? (device.outlets[index] ?? device.outlets[tags.outlet ?? '']) : undefined;
      if (machine !== undefined) tags.machine = machine;
      metric = { measurement: table.measurement, tags, fields: {}, timestamp };
      rows.set(index, metric);
    }
    return metric;
  };

  for (const column of table.columns) {
    const where = (oid: string): string => `${oid} (${table.measurement}.${column.name})`;
    const varbinds = await walk(column.oid);
    const digits = column.digits === undefined ? undefined : await decimalDigits(walk, column.digits);
    const factors = await columnFactors(walk, column);
    const at = now();
    let found = 0;
    for (const varbind of varbinds) {
      let index = rowIndex(column.oid, varbind);
      const fullIndex = index;
      if (column.indexSuffix !== undefined) {
        if (!index.endsWith(`.${column.indexSuffix}`)) continue; // another sensor type's instance
        index = index.slice(0, -column.indexSuffix.length - 1);
      }
      found++;
      const length = index.split('.').length;
      if (indexLength !== undefined && length !== indexLength) {
        counts.indexErrors++;
        problems.push(
          `${where(varbind.oid)}: index ${index} has ${length} sub-identifier(s), the walk expects ${indexLength}; not published`,
        );
        continue;
      }
      let reading = readVarbind(varbind);
      if (isUnavailable(reading, column)) {
        counts.unavailable++;
        continue;
      }
      if (digits !== undefined) {
        const places = digits.get(fullIndex);
        if (places === undefined) {
          problems.push(`${where(varbind.oid)}: no decimal digits at ${column.digits}.${fullIndex}`);
          continue;
        }
        const number = numberOf(reading);
        if (typeof number === 'string') {
          problems.push(`${where(varbind.oid)}: ${number}`);
          continue;
        }
        reading = { kind: 'number', value: number / 10 ** places };
      }
      if (factors !== undefined) {
        const factored = applyFactors(reading, factors, fullIndex);
        if (factored === undefined) {
          counts.unavailable++;
          continue;
        }
        if (typeof factored === 'string') {
          problems.push(`${where(varbind.oid)}: ${factored}`);
          continue;
        }
        reading = factored;
      }
      const field = toField(reading, column, varbind.oid, rates, at);
      if (typeof field === 'string') problems.push(`${where(varbind.oid)}: ${field}`);
      else if (field !== undefined) setEntry(row(index).fields, column.name, field);
    }
    if (found === 0) problems.push(`${where(column.oid)}: empty column`);
  }
  // Tag columns name the rows the field columns found; a tag column alone creates no row.
  for (const [tag, oid] of Object.entries(table.tags)) {
    for (const varbind of await walk(oid)) {
      const metric = rows.get(rowIndex(oid, varbind));
      // Line protocol allows no line breaks in tag values; device strings sometimes hold them.
      const text = textOf(readVarbind(varbind))
        .replace(/[\r\n\t]+/g, ' ')
        .trim();
      if (metric && text.length > 0) setEntry(metric.tags, tag, text);
    }
  }
  const published = [...rows.values()].filter((metric) => Object.keys(metric.fields).length > 0);
  if (table.outlet && plan.machineFromName) {
    for (const metric of published) {
      const name = metric.tags.outlet_name;
      const machine = name === undefined ? undefined : plan.machineFromName.exec(name)?.groups?.machine;
      if (metric.tags.machine === undefined && machine) metric.tags.machine = machine;
    }
  }
  return published;
}

/** A decimal-digits column: full instance index → digits (PDU2-MIB `outletSensorDecimalDigits`). */
async function decimalDigits(
  walk: (oid: string) => Promise<Varbind[]>,
  oid: string,
): Promise<Map<string, number>> {
  const numbers = await columnNumbers(walk, oid);
  return new Map([...numbers].filter(([, value]) => Number.isInteger(value) && value >= 0 && value <= 9));
}

/** The `multiplyBy` and `divideBy` columns of a column: full instance index → value. */
interface Factors {
  readonly multiplyBy?: { readonly oid: string; readonly values: Map<string, number> };
  readonly divideBy?: { readonly oid: string; readonly values: Map<string, number> };
}

async function columnFactors(
  walk: (oid: string) => Promise<Varbind[]>,
  column: SnmpWalkConfig['columns'][number],
): Promise<Factors | undefined> {
  if (column.multiplyBy === undefined && column.divideBy === undefined) return undefined;
  const read = async (oid: string | undefined) =>
    oid === undefined ? undefined : { oid, values: await columnNumbers(walk, oid) };
  return { multiplyBy: await read(column.multiplyBy), divideBy: await read(column.divideBy) };
}

/** A column's numeric values: full instance index → value. */
async function columnNumbers(
  walk: (oid: string) => Promise<Varbind[]>,
  oid: string,
): Promise<Map<string, number>> {
  const numbers = new Map<string, number>();
  for (const varbind of await walk(oid)) {
    const value = numberOf(readVarbind(varbind));
    if (typeof value === 'number') numbers.set(rowIndex(oid, varbind), value);
  }
  return numbers;
}

/**
 * `reading` times its `multiplyBy` value and over its `divideBy` value at `index`; undefined when the
 * divisor is 0 (a share of nothing is no reading), or why it cannot be computed.
 */
function applyFactors(reading: Reading, factors: Factors, index: string): Reading | string | undefined {
  const number = numberOf(reading);
  if (typeof number === 'string') return number;
  let value = number;
  const { multiplyBy, divideBy } = factors;
  if (multiplyBy) {
    const factor = multiplyBy.values.get(index);
    if (factor === undefined) return `no number at ${multiplyBy.oid}.${index}`;
    value *= factor;
  }
  if (divideBy) {
    const divisor = divideBy.values.get(index);
    if (divisor === undefined) return `no number at ${divideBy.oid}.${index}`;
    if (divisor === 0) return undefined;
    value /= divisor;
  }
  return { kind: 'number', value };
}

/** A reading the device uses to say it has none (PowerNet-MIB, Sentry4-MIB: -1), compared before scaling. */
function isUnavailable(reading: Reading, spec: ValueSpec): boolean {
  if (spec.unavailable.length === 0 || spec.type === 'string') return false;
  const number = numberOf(reading);
  return typeof number === 'number' && spec.unavailable.includes(number);
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
