/**
 * `temp`: one line per sensor (tag `sensor`: `cpu`, `core0`, ..., `socket0`, `chipset`), field
 * `temp` in °C. A host without sensors publishes no line at all: an absent sensor is never 0.
 */
import type { Collector, ComputeContext, Computed } from '../collector.js';
import { Fields, point } from '../fields.js';
import type { Metric } from '../../../core/codecs/metric.js';
import { readTemperatures } from '../probes/system.js';
import type { TempReading } from '../readings.js';

export function computeTemp(reading: TempReading, context: ComputeContext): Computed<undefined> {
  const metrics: Metric[] = [];
  const sensor = (name: string, value: number | null | undefined): void => {
    const fields = new Fields().float('temp', value);
    metrics.push(...point('temp', { host: context.host, sensor: name }, fields, context.timestamp));
  };
  sensor('cpu', reading.main);
  reading.cores.forEach((value, index) => sensor(`core${index}`, value));
  (reading.socket ?? []).forEach((value, index) => sensor(`socket${index}`, value));
  sensor('chipset', reading.chipset);
  return { metrics, state: undefined };
}

export function tempCollector(): Collector<TempReading, undefined> {
  return {
    name: 'temp',
    measurements: ['temp'],
    read: () => readTemperatures(),
    compute: (reading, _previous, context) => computeTemp(reading, context),
  };
}
