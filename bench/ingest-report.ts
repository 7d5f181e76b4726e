/**
 * The ingest benchmark's report: a table of points per second for every path, then per pass busbar's
 * CPU (by thread), peak RSS and what each store holds, the reference pipeline's same figures, and the
 * ratios of each busbar pass to the reference of the same payload and QoS, and to busbar without
 * the journal, all from one run.
 */
import type { OnePointFormat } from './ingest-onepoint.js';
import type { ReferenceResult } from './ingest-reference.js';

export interface Ceiling {
  readonly ms: number;
}

export interface BusbarPass {
  readonly format: OnePointFormat;
  readonly qos: 0 | 1;
  readonly mode: 'off' | 'fsync' | 'write';
  readonly publishedMs: number;
  readonly endToEndMs: number;
  readonly busbarCpu: number;
  /** The same CPU by thread: the main thread (the event loop) and the others, busiest first. */
  readonly threads: { main: number; others: number[] };
  readonly vmCpu: number;
  readonly rssMax: number;
  readonly generatorBusy: number;
  readonly inVm: number;
  readonly inHistory: number;
  /** The checkout whose build ran this pass (`--compare DIR`); absent: this checkout. */
  readonly build?: string | undefined;
}

export interface ReferencePassResult extends ReferenceResult {
  readonly format: OnePointFormat;
  readonly qos: 0 | 1;
}

interface ReportSpec {
  readonly workload: 'lines' | 'onepoint';
  readonly lines: number;
  readonly fields: number;
  readonly linesPerMessage: number;
}

const rate = (count: number, ms: number): string => Math.round((count / ms) * 1000).toLocaleString('en-US');
const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const count = (value: number): string => value.toLocaleString('en-US');
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

export function report(
  spec: ReportSpec,
  ceiling: Ceiling,
  passes: readonly BusbarPass[],
  references: readonly ReferencePassResult[],
): string {
  const points = spec.lines * spec.fields;
  const messages = Math.ceil(spec.lines / spec.linesPerMessage);
  const perMessage = (seconds: number): string => ((seconds * 1e6) / messages).toFixed(1);
  const kind = (format: OnePointFormat, qos: 0 | 1): string =>
    `${spec.workload === 'onepoint' ? `${format}, ` : ''}QoS ${qos}`;
  // The journal keeps QoS 1/2 messages only: a QoS 0 pass has no journal mode to name.
  const name = (pass: BusbarPass): string =>
    `${kind(pass.format, pass.qos)}${pass.qos === 1 ? `, journal ${pass.mode}` : ''}` +
    (pass.build === undefined ? '' : `, build of ${pass.build}`);
  const row = (label: string, lineCount: number, ms: number): string =>
    `| ${label} | ${rate(lineCount, ms)} | ${rate((lineCount / spec.lines) * points, ms)} | ${(ms / 1000).toFixed(1)} s |`;

  const out = [
    '',
    `| path                                 | lines/s | points/s | time |`,
    `| ------------------------------------ | ------- | -------- | ---- |`,
    row('direct HTTP → VictoriaMetrics', spec.lines, ceiling.ms),
  ];
  for (const ref of references) {
    out.push(
      row(
        `MQTT → Mosquitto + client → VictoriaMetrics (${kind(ref.format, ref.qos)})`,
        ref.stored,
        ref.endToEndMs,
      ),
    );
  }
  for (const pass of passes) {
    out.push(row(`MQTT → busbar, ${name(pass)} (accepted by broker)`, spec.lines, pass.publishedMs));
    out.push(row(`MQTT → busbar, ${name(pass)} → VictoriaMetrics + history`, spec.lines, pass.endToEndMs));
  }
  out.push('');
  for (const ref of references) {
    out.push(
      `reference (${kind(ref.format, ref.qos)}): Mosquitto + client CPU ${(ref.mosquittoCpu + ref.clientCpu).toFixed(1)} s = ` +
        `${perMessage(ref.mosquittoCpu + ref.clientCpu)} µs per message (Mosquitto ${perMessage(ref.mosquittoCpu)}, ` +
        `client ${perMessage(ref.clientCpu)}); Mosquitto accepting the same messages with nobody subscribed ` +
        `${perMessage(ref.acceptOnlyCpu)} µs per message; peak RSS ${mib(ref.rssMax)} (both); ` +
        `stored: VictoriaMetrics ${count(ref.stored)} / ${count(points)}${lossNote(ref.stored, points)}`,
    );
  }
  for (const pass of passes) {
    out.push(
      `busbar (${name(pass)}): end to end / direct ceiling ${((ceiling.ms / pass.endToEndMs) * 100).toFixed(0)}%; ` +
        `busbar CPU ${pass.busbarCpu.toFixed(1)} s = ${perMessage(pass.busbarCpu)} µs per message ` +
        `(${((pass.busbarCpu * 1e6) / points).toFixed(2)} µs per point), ` +
        `${(((pass.busbarCpu * 1000) / pass.endToEndMs) * 100).toFixed(0)}% of one core, ` +
        // Near 100 %: the event loop, not the publishers, sets the throughput.
        `main thread busy ${(((pass.threads.main * 1000) / pass.endToEndMs) * 100).toFixed(0)}% ` +
        `(main thread ${perMessage(pass.threads.main)} µs, other threads ${perMessage(sum(pass.threads.others))} µs per message, ` +
        `busiest ${pass.threads.others.slice(0, 3).map(perMessage).join(' / ')}); peak RSS ${mib(pass.rssMax)}; ` +
        `VictoriaMetrics CPU ${(((pass.vmCpu * 1000) / pass.endToEndMs) * 100).toFixed(0)}%; ` +
        `load generator ${(pass.generatorBusy * 100).toFixed(0)}% of one core; ` +
        `stored: VictoriaMetrics ${count(pass.inVm)}, history ${count(pass.inHistory)} / ${count(points)}` +
        lossNote(Math.min(pass.inVm, pass.inHistory), points),
    );
  }
  for (const pass of passes) {
    const ref = references.find((r) => r.format === pass.format && r.qos === pass.qos);
    if (ref === undefined) continue;
    const refCpu = ref.mosquittoCpu + ref.clientCpu;
    out.push(
      `busbar (${name(pass)}) / Mosquitto + client, same run: CPU per point ×${(pass.busbarCpu / refCpu).toFixed(2)}, ` +
        `points/s end to end ×${(((spec.lines / pass.endToEndMs) * ref.endToEndMs) / ref.stored).toFixed(2)}, ` +
        `peak RSS ×${(pass.rssMax / ref.rssMax).toFixed(2)}; busbar also keeps the history store` +
        (pass.qos === 1 && pass.mode !== 'off' ? ' and acknowledges only what is on disk' : ''),
    );
  }
  const cpuPerMessage = (p: BusbarPass): number => (p.busbarCpu * 1e6) / messages;
  for (const pass of passes) {
    if (pass.build === undefined) continue;
    const own = passes.find(
      (p) => p.build === undefined && p.format === pass.format && p.qos === pass.qos && p.mode === pass.mode,
    );
    if (own === undefined) continue;
    out.push(
      `this build / build of ${pass.build} (${name(own)}, same run): CPU per message ` +
        `×${(cpuPerMessage(own) / cpuPerMessage(pass)).toFixed(2)} (${signed(cpuPerMessage(own) - cpuPerMessage(pass))} µs), ` +
        `points/s end to end ×${(pass.endToEndMs / own.endToEndMs).toFixed(2)}, peak RSS ×${(own.rssMax / pass.rssMax).toFixed(2)}`,
    );
  }
  for (const pass of passes) {
    const off = passes.find(
      (p) => p.mode === 'off' && p.format === pass.format && p.qos === pass.qos && p.build === pass.build,
    );
    if (off === undefined || pass === off) continue;
    const build = pass.build === undefined ? '' : `, build of ${pass.build}`;
    out.push(
      `cost of durable acknowledgement (${kind(pass.format, pass.qos)}${build}, journal ${pass.mode} vs off, same run): ` +
        `throughput ×${(off.endToEndMs / pass.endToEndMs).toFixed(2)} end to end, ` +
        `×${(off.publishedMs / pass.publishedMs).toFixed(2)} accepted; CPU per message ×${(cpuPerMessage(pass) / cpuPerMessage(off)).toFixed(2)} ` +
        `(${signed(cpuPerMessage(pass) - cpuPerMessage(off))} µs)`,
    );
  }
  return `${out.join('\n')}\n`;
}

function lossNote(stored: number, points: number): string {
  if (stored === points) return '';
  return stored < points
    ? ` — ${count(points - stored)} lost`
    : ` — ${count(stored - points)} more than sent`;
}
