/** Turns the rounds into the printed table, the ratios against Mosquitto and the targets. */
import type { RoundResult } from './fan-in.js';
import { TARGET_LABELS, type TargetName } from './targets.js';

export interface Series {
  target: TargetName;
  qos: 0 | 1;
  rounds: RoundResult[];
}

export interface Summary {
  target: TargetName;
  qos: 0 | 1;
  /** Medians over the measured rounds. */
  messagesPerSecond: number;
  cpuMicrosPerMessage: number;
  /** Of cpuMicrosPerMessage, the kernel's (system calls); the rest is the broker's own code. */
  kernelMicrosPerMessage: number;
  /** Broker CPU seconds per second of the round: 1 = one core saturated. */
  brokerLoad: number;
  generatorMicrosPerMessage: number;
  /** Median share of the round the generator's event loop was busy. */
  generatorBusy: number;
  minMessagesPerSecond: number;
  maxMessagesPerSecond: number;
  delivered: number;
  sent: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(series: Series): Summary {
  const rates = series.rounds.map((r) => (r.delivered / r.elapsedMs) * 1000);
  // Per delivered message: QoS 0 drops must not make a broker look cheaper.
  const perMessage = (seconds: (r: RoundResult) => number): number =>
    median(series.rounds.map((r) => (seconds(r) * 1e6) / Math.max(1, r.delivered)));
  return {
    target: series.target,
    qos: series.qos,
    messagesPerSecond: median(rates),
    cpuMicrosPerMessage: perMessage((r) => r.brokerCpuSeconds),
    kernelMicrosPerMessage: perMessage((r) => r.brokerKernelSeconds),
    brokerLoad: median(series.rounds.map((r) => r.brokerCpuSeconds / (r.elapsedMs / 1000))),
    generatorMicrosPerMessage: perMessage((r) => r.generatorCpuSeconds),
    generatorBusy: median(series.rounds.map((r) => r.generatorBusy)),
    minMessagesPerSecond: Math.min(...rates),
    maxMessagesPerSecond: Math.max(...rates),
    delivered: series.rounds.reduce((sum, r) => sum + r.delivered, 0),
    sent: series.rounds.reduce((sum, r) => sum + r.sent, 0),
  };
}

const integer = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fixed = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ratio = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');

function table(header: string[], rows: string[][], alignLeft: number[] = [0]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (alignLeft.includes(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function resultsTable(summaries: Summary[]): string {
  return table(
    [
      'target',
      'QoS',
      'msgs/s (median)',
      'min–max msgs/s',
      'CPU µs/msg',
      'of it kernel',
      'broker CPU',
      'generator µs/msg',
      'generator busy',
      'delivered/sent',
    ],
    summaries.map((s) => [
      TARGET_LABELS[s.target],
      String(s.qos),
      integer(s.messagesPerSecond),
      `${integer(s.minMessagesPerSecond)}–${integer(s.maxMessagesPerSecond)}`,
      fixed(s.cpuMicrosPerMessage),
      fixed(s.kernelMicrosPerMessage),
      `${fixed(100 * s.brokerLoad, 0)}%`,
      fixed(s.generatorMicrosPerMessage),
      `${fixed(100 * s.generatorBusy, 0)}%`,
      `${integer(s.delivered)}/${integer(s.sent)} (${fixed((100 * s.delivered) / s.sent, 1)}%)`,
    ]),
  );
}

function find(summaries: Summary[], target: TargetName, qos: 0 | 1): Summary | undefined {
  return summaries.find((s) => s.target === target && s.qos === qos);
}

export function ratiosTable(summaries: Summary[]): string {
  const pairs: [TargetName, TargetName][] = [
    ['busbar', 'mosquitto'],
    ['busbar-defaults', 'mosquitto'],
    ['aedes', 'mosquitto'],
    ['busbar', 'aedes'],
    // The cost of durable acknowledgement: the same busbar on metric topics, journal on vs off.
    ['busbar-journal', 'busbar-no-journal'],
  ];
  const rows: string[][] = [];
  for (const [a, b] of pairs) {
    const cells = ([0, 1] as const).flatMap((qos) => {
      const x = find(summaries, a, qos);
      const y = find(summaries, b, qos);
      if (!x || !y) return ['n/a', 'n/a', 'n/a'];
      const userMicros = (z: Summary): number => z.cpuMicrosPerMessage - z.kernelMicrosPerMessage;
      return [
        ratio(x.messagesPerSecond / y.messagesPerSecond),
        ratio(x.cpuMicrosPerMessage / y.cpuMicrosPerMessage),
        ratio(userMicros(x) / userMicros(y)),
      ];
    });
    if (cells.some((cell) => cell !== 'n/a'))
      rows.push([`${TARGET_LABELS[a]} / ${TARGET_LABELS[b]}`, ...cells]);
  }
  if (rows.length === 0) return 'ratios: n/a (Mosquitto or the Aedes-based targets have no results)';
  // "user" is the CPU outside the kernel: the broker's own code, without the system calls it makes.
  return table(
    [
      'ratio of medians',
      'QoS 0 msgs/s',
      'QoS 0 CPU/msg',
      'QoS 0 user CPU',
      'QoS 1 msgs/s',
      'QoS 1 CPU/msg',
      'QoS 1 user CPU',
    ],
    rows,
  );
}

/**
 * The targets of issue 15 ("Mosquitto-grade"), checked for busbar (both configurations) and, as a
 * reference, for bare Aedes: throughput at least Mosquitto's, broker CPU per message at most 1.2×
 * its, at both QoS levels. The latency target (p99 ≤ 2×) is checked by the latency scenario.
 */
export const THROUGHPUT_TARGET = 1.0;
export const CPU_TARGET = 1.2;

export function targetLines(summaries: Summary[]): string[] {
  const lines: string[] = [];
  const labels = {
    busbar: 'busbar',
    'busbar-defaults': 'busbar (defaults)',
    aedes: 'aedes (bare), reference',
  };
  for (const target of ['busbar', 'busbar-defaults', 'aedes'] as const) {
    const label = labels[target];
    for (const qos of [0, 1] as const) {
      const own = find(summaries, target, qos);
      const mosquitto = find(summaries, 'mosquitto', qos);
      if (!own || !mosquitto) continue;
      const rate = own.messagesPerSecond / mosquitto.messagesPerSecond;
      const cpu = own.cpuMicrosPerMessage / mosquitto.cpuMicrosPerMessage;
      lines.push(
        `${rate >= THROUGHPUT_TARGET ? 'PASS' : 'MISS'}  ${label}: QoS ${qos} throughput ≥ ${THROUGHPUT_TARGET.toFixed(1)}× Mosquitto — got ${ratio(rate)}`,
        `${cpu <= CPU_TARGET ? 'PASS' : 'MISS'}  ${label}: QoS ${qos} CPU per message ≤ ${CPU_TARGET.toFixed(1)}× Mosquitto — got ${ratio(cpu)}`,
      );
    }
  }
  return lines;
}

/**
 * Series whose throughput may say more about the load generator than about the broker: the
 * generator's event loop near saturation while the broker has CPU to spare.
 */
export function generatorWarnings(summaries: Summary[]): string[] {
  return summaries
    .filter((s) => s.generatorBusy >= 0.8 && s.brokerLoad < 0.9)
    .map(
      (s) =>
        `NOTE  ${TARGET_LABELS[s.target]} QoS ${s.qos}: the generator's event loop was ${fixed(100 * s.generatorBusy, 0)}% ` +
        `busy while the broker used ${fixed(100 * s.brokerLoad, 0)}% of a core; this throughput may be the generator's limit`,
    );
}
