/**
 * Points on their way to the history store's writer, in a form that crosses to a worker thread
 * without copying: series ids, times and values in typed arrays whose buffers are transferred.
 * Series are numbered on the sending side (SeriesRegistry), so a point never carries its name.
 */
import type { Field, Metric } from '../../core/codecs/metric.js';
import { nsToUs } from './database.js';
import { escapePart, seriesPrefix, tagSuffix } from './series-name.js';

export interface SeriesDefinition {
  readonly id: number;
  readonly name: string;
  readonly source: string;
  readonly measurement: string;
  readonly field: string;
  /** JSON object of the tags. */
  readonly tags: string;
  readonly type: Field['type'];
}

export interface PointBatch {
  readonly count: number;
  /** Entries past `count` are unused capacity. */
  readonly series: Int32Array;
  /** Microseconds since the epoch. */
  readonly times: Float64Array;
  /** NaN marks a string value, found in `strings` (a float field is never NaN). */
  readonly values: Float64Array;
  readonly strings: [index: number, value: string][];
  /** Series first seen in this batch: the writer creates them before their points. */
  readonly newSeries: SeriesDefinition[];
}

/** The name → id map of every series, kept by whoever builds batches. */
export class SeriesRegistry {
  private readonly ids = new Map<string, number>();
  private nextId = 1;

  constructor(known: Iterable<readonly [name: string, id: number]> = []) {
    for (const [name, id] of known) {
      this.ids.set(name, id);
      if (id >= this.nextId) this.nextId = id + 1;
    }
  }

  get size(): number {
    return this.ids.size;
  }

  /** The id of `name`, if it has one. */
  lookup(name: string): number | undefined {
    return this.ids.get(name);
  }

  /** A new id for `name` (the caller describes the series to the writer: PointBatch.newSeries). */
  assign(name: string): number {
    const id = this.nextId++;
    this.ids.set(name, id);
    return id;
  }
}

const INITIAL_CAPACITY = 4_096;

/** Gathers points into a PointBatch, growing its arrays by doubling. */
export class PointBatchBuilder {
  private count = 0;
  private series = new Int32Array(INITIAL_CAPACITY);
  private times = new Float64Array(INITIAL_CAPACITY);
  private values = new Float64Array(INITIAL_CAPACITY);
  private strings: [number, string][] = [];
  private newSeries: SeriesDefinition[] = [];

  constructor(private readonly registry: SeriesRegistry) {}

  /** Points waiting. */
  get pending(): number {
    return this.count;
  }

  /** Adds every field of every metric (each must have a timestamp); returns the number of points. */
  add(source: string, metrics: readonly Metric[]): number {
    let added = 0;
    for (const metric of metrics) {
      if (metric.timestamp === undefined) continue;
      const ts = nsToUs(metric.timestamp);
      const prefix = seriesPrefix(source, metric.measurement);
      const suffix = tagSuffix(metric.tags);
      for (const key in metric.fields) {
        const field = metric.fields[key] as Field;
        const name = prefix + escapePart(key) + suffix;
        let id = this.registry.lookup(name);
        if (id === undefined) {
          id = this.registry.assign(name);
          const tags = JSON.stringify(metric.tags);
          this.newSeries.push({
            id,
            name,
            source,
            measurement: metric.measurement,
            field: key,
            tags,
            type: field.type,
          });
        }
        this.push(id, ts, field);
        added++;
      }
    }
    return added;
  }

  /** Hands the gathered points over (its buffers are the batch's now) and starts afresh. */
  take(): PointBatch | undefined {
    if (this.count === 0) return undefined;
    const batch: PointBatch = {
      count: this.count,
      series: this.series,
      times: this.times,
      values: this.values,
      strings: this.strings,
      newSeries: this.newSeries,
    };
    const capacity = Math.max(INITIAL_CAPACITY, this.series.length);
    this.count = 0;
    this.series = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.strings = [];
    this.newSeries = [];
    return batch;
  }

  private push(id: number, ts: number, field: Field): void {
    if (this.count === this.series.length) this.grow();
    const i = this.count++;
    this.series[i] = id;
    this.times[i] = ts;
    switch (field.type) {
      case 'float':
        this.values[i] = field.value;
        break;
      case 'integer':
      case 'unsigned':
        this.values[i] = Number(field.value);
        break;
      case 'boolean':
        // Booleans as 1 and 0, so that they chart and roll up.
        this.values[i] = field.value ? 1 : 0;
        break;
      case 'string':
        this.values[i] = Number.NaN;
        this.strings.push([i, field.value]);
        break;
    }
  }

  private grow(): void {
    const capacity = this.series.length * 2;
    const series = new Int32Array(capacity);
    series.set(this.series);
    const times = new Float64Array(capacity);
    times.set(this.times);
    const values = new Float64Array(capacity);
    values.set(this.values);
    this.series = series;
    this.times = times;
    this.values = values;
  }
}

/** The buffers to transfer with a batch. */
export function transferables(batch: PointBatch): ArrayBuffer[] {
  return [batch.series.buffer, batch.times.buffer, batch.values.buffer] as ArrayBuffer[];
}
