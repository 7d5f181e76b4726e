/**
 * `busbar query`: what the history store holds, read from its file while busbar runs (or not).
 * The file is `--db`, else `sinks.history.path` of the config file, else the default path.
 */
import { Command } from 'commander';
import { errorMessage } from '../core/runtime/errors.js';
import type { HistoryReader, RangeSeries } from '../sinks/history/reader.js';
import { formatTime, parseTimeSpec } from '../sinks/history/time-spec.js';

// The config loader (every component's schema) and the history reader (SQLite) are imported when a
// query runs: cli/main.ts defines this command for every invocation, `busbar agent`'s included.

export interface HistoryOptions {
  db?: string;
  config?: string;
  json?: boolean;
}

/** The history file named by the options, the config file or the defaults. */
export async function historyPath(options: HistoryOptions): Promise<string> {
  if (options.db !== undefined) return options.db;
  const { loadConfig } = await import('../config/load.js');
  const config = await loadConfig(options.config ?? process.env.BUSBAR_CONFIG);
  return config.sinks.history.path;
}

/** Runs `action` with an open reader; prints a one-line error (exit code 1) instead of a stack. */
export async function withReader(
  options: HistoryOptions,
  action: (reader: HistoryReader) => Promise<void> | void,
): Promise<void> {
  let reader: HistoryReader | undefined;
  try {
    const { HistoryReader } = await import('../sinks/history/reader.js');
    reader = HistoryReader.open(await historyPath(options));
    await action(reader);
  } catch (error) {
    const { ConfigError } = await import('../config/load.js');
    process.stderr.write(
      `${error instanceof ConfigError ? error.message : `busbar: ${errorMessage(error)}`}\n`,
    );
    process.exitCode = 1;
  } finally {
    reader?.close();
  }
}

export function addHistoryOptions(command: Command): Command {
  return command
    .option('--db <file>', 'history store file (default: sinks.history.path of the config)')
    .option('-c, --config <file>', 'YAML config file (default: $BUSBAR_CONFIG, else embedded defaults)');
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function formatValue(value: number | string | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? String(Math.round(value * 1e6) / 1e6) : JSON.stringify(value);
}

function printRange(result: RangeSeries[]): void {
  for (const series of result) {
    const resolution =
      series.bucketMs === 0 ? 'raw points' : `${series.bucketMs / 1000} s buckets from ${series.source}`;
    print(`# ${series.series.name} (${series.points.length} ${resolution})`);
    const rows = series.points.map((point) => [
      formatTime(point.time),
      formatValue(point.value),
      formatValue(point.min),
      formatValue(point.max),
      point.count === undefined ? '' : String(point.count),
    ]);
    const header = series.bucketMs === 0 ? ['time', 'value'] : ['time', 'avg', 'min', 'max', 'count'];
    print(table([header, ...rows.map((row) => row.slice(0, header.length))]));
  }
}

export function queryCommand(): Command {
  const query = new Command('query').description(
    'read the history store: series, sources, latest values, ranges',
  );

  addHistoryOptions(query.command('series').description('list series (all, or those matching PATTERN)'))
    .argument('[pattern]', 'glob over source/measurement/field{tags}; * and ? wildcards')
    .option('--json', 'print JSON')
    .action(async (pattern: string | undefined, options: HistoryOptions) =>
      withReader(options, (reader) => {
        const series = reader.series(pattern);
        if (options.json) return print(JSON.stringify(series, null, 2));
        print(table([['series', 'type'], ...series.map((s) => [s.name, s.type])]));
      }),
    );

  addHistoryOptions(query.command('sources').description('list sources and how many series each has'))
    .option('--json', 'print JSON')
    .action(async (options: HistoryOptions) =>
      withReader(options, (reader) => {
        const sources = reader.sources();
        if (options.json) return print(JSON.stringify(sources, null, 2));
        print(table([['source', 'series'], ...sources.map((s) => [s.source, String(s.series)])]));
      }),
    );

  addHistoryOptions(query.command('latest').description('latest value of every series matching PATTERN'))
    .argument('<pattern>', 'glob over source/measurement/field{tags}, e.g. "web1/*" or "*/cpu/usage_*"')
    .option('--json', 'print JSON')
    .action(async (pattern: string, options: HistoryOptions) =>
      withReader(options, (reader) => {
        const latest = reader.latest(pattern);
        if (options.json) return print(JSON.stringify(latest, null, 2));
        const rows = latest.map((l) => [l.series.name, formatValue(l.value), formatTime(l.time)]);
        print(table([['series', 'value', 'time'], ...rows]));
      }),
    );

  addHistoryOptions(
    query
      .command('range')
      .description('points of every series matching PATTERN, at most --points per series'),
  )
    .argument('<pattern>', 'glob over source/measurement/field{tags}')
    .option('--from <time>', 'start: now, -15m, -2h, -7d, ISO 8601 or epoch ms', '-1h')
    .option('--to <time>', 'end (same forms)', 'now')
    .option('--points <n>', 'points per series at most', '1000')
    .option('--json', 'print JSON')
    .action(async (pattern: string, options: HistoryOptions & { from: string; to: string; points: string }) =>
      withReader(options, (reader) => {
        const maxPoints = Number(options.points);
        if (!Number.isInteger(maxPoints) || maxPoints < 1)
          throw new Error(`--points ${options.points}: a positive integer`);
        const now = Date.now();
        const result = reader.range(pattern, {
          from: parseTimeSpec(options.from, now),
          to: parseTimeSpec(options.to, now),
          maxPoints,
        });
        if (options.json) return print(JSON.stringify(result, null, 2));
        printRange(result);
      }),
    );

  return query;
}
