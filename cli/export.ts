/** `busbar export`: series of the history store as CSV, to a file, standard output or one file per day. */
import { createWriteStream } from 'node:fs';
import { Command } from 'commander';
import {
  exportCsv,
  exportCsvPerDay,
  type ExportOptions,
  type ExportResolution,
} from '../sinks/history/csv-export.js';
import { parseTimeSpec } from '../sinks/history/time-spec.js';
import { addHistoryOptions, withReader, type HistoryOptions } from './query.js';

interface ExportFlags extends HistoryOptions {
  from: string;
  to: string;
  resolution: string;
  out?: string;
  perDay?: string;
}

const RESOLUTIONS: readonly ExportResolution[] = ['raw', '1m', '1h'];

export function exportCommand(): Command {
  return addHistoryOptions(
    new Command('export').description('write the points of every series matching PATTERN as CSV'),
  )
    .argument('<pattern>', 'glob over source/measurement/field{tags}, e.g. "web1/*"')
    .option('--from <time>', 'start: now, -15m, -2h, -7d, ISO 8601 or epoch ms', '-1d')
    .option('--to <time>', 'end (same forms)', 'now')
    .option('--resolution <r>', 'raw points, or 1m / 1h rollups (min, avg, max, last, count)', 'raw')
    .option('-o, --out <file>', 'write to this file (default: standard output)')
    .option('--per-day <dir>', 'write one YYYY-MM-DD.csv per UTC day into this directory')
    .action(async (pattern: string, flags: ExportFlags) =>
      withReader(flags, async (reader) => {
        if (!(RESOLUTIONS as readonly string[]).includes(flags.resolution)) {
          throw new Error(`--resolution ${flags.resolution}: expected raw, 1m or 1h`);
        }
        const now = Date.now();
        const options: ExportOptions = {
          pattern,
          from: parseTimeSpec(flags.from, now),
          to: parseTimeSpec(flags.to, now),
          resolution: flags.resolution as ExportResolution,
        };
        if (flags.perDay !== undefined) {
          const files = await exportCsvPerDay(reader, options, flags.perDay);
          for (const [file, rows] of files) process.stderr.write(`${file}: ${rows} rows\n`);
          return;
        }
        if (flags.out === undefined) {
          await exportCsv(reader, options, process.stdout);
          return;
        }
        const out = createWriteStream(flags.out);
        const rows = await exportCsv(reader, options, out);
        await new Promise<void>((resolve, reject) => {
          out.once('error', reject);
          out.end(() => resolve());
        });
        process.stderr.write(`${flags.out}: ${rows} rows\n`);
      }),
    );
}
