/**
 * Charts for alarm mails: a PNG of each firing alarm's series from history (`history.read`), at most
 * MAX_CHARTS per mail. A chart is a bonus: history off or unreachable, no points or a rendering
 * failure leave the mail without it (logged), never undelivered.
 */
import type { Logger } from '../../../core/runtime/logger.js';
import type { HistoryReadTarget } from '../../../history/config.js';
import { openHistory } from '../../../history/open.js';
import { HistoryUnavailableError, type HistorySource } from '../../../history/source.js';

/**
 * The chart code, loaded on the first mail that needs it: ECharts takes most of a second to load,
 * which every start of the notifiers would otherwise pay, charts or not.
 */
async function chartModules(): Promise<{
  history: typeof import('../../charts/history-chart.js');
  render: typeof import('../../charts/render.js');
}> {
  const [history, render] = await Promise.all([
    import('../../charts/history-chart.js'),
    import('../../charts/render.js'),
  ]);
  return { history, render };
}
import type { NotifiedAlarm } from '../../alarm-payload.js';

/** More charts make a mail slow to open and heavy to keep; the rest are named in the body. */
export const MAX_CHARTS = 5;

export interface MailChart {
  readonly cid: string;
  readonly filename: string;
  /** What the chart shows, for the alt text and the caption. */
  readonly caption: string;
  readonly png: Buffer;
}

export interface MailCharts {
  readonly charts: readonly MailChart[];
  /** Firing alarms beyond MAX_CHARTS, left without a chart. */
  readonly omitted: number;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A file name from a series name: letters, digits, `.`, `_` and `-` only. */
function fileName(index: number, alarm: NotifiedAlarm): string {
  const stem = `${alarm.rule}-${alarm.series}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return `chart-${index + 1}-${stem}.png`;
}

export class AlarmCharts {
  private reader: HistorySource | undefined;

  constructor(
    private readonly history: HistoryReadTarget,
    private readonly log: Logger,
  ) {}

  /** The source, opened on first use; undefined (logged) when the store is off. */
  private open(): HistorySource | undefined {
    if (this.history.kind === 'off') {
      this.log.debug('no chart in the mail: the history store is off');
      return undefined;
    }
    this.reader ??= openHistory(this.history);
    return this.reader;
  }

  async render(alarms: readonly NotifiedAlarm[], now: number, signal: AbortSignal): Promise<MailCharts> {
    const firing = alarms.filter((alarm) => alarm.state === 'firing');
    if (firing.length === 0) return { charts: [], omitted: 0 };
    const reader = this.open();
    if (!reader) return { charts: [], omitted: 0 };
    const { history, render } = await chartModules();
    const charts: MailChart[] = [];
    for (const alarm of firing.slice(0, MAX_CHARTS)) {
      if (signal.aborted) break;
      const series = history.alarmSeriesName(alarm) ?? alarm.series;
      try {
        const png = (await history.alarmChart(reader, alarm, now))?.png;
        if (png === undefined) {
          this.log.debug(
            { rule: alarm.rule, series },
            'no chart in the mail: no points of the series in the history store',
          );
          continue;
        }
        const index = charts.length;
        charts.push({
          cid: `chart-${index + 1}@busbar`,
          filename: fileName(index, alarm),
          caption: `${alarm.rule}: ${series}`,
          png,
        });
      } catch (error) {
        if (error instanceof HistoryUnavailableError) {
          // Tried again on the next mail: the store may not exist yet, or InfluxDB may be back.
          this.log.warn({ err: error.message }, 'no chart in the mail: history store not readable');
          break;
        }
        this.log.warn(
          { rule: alarm.rule, series, err: errorText(error) },
          'chart failed; the mail goes without it',
        );
      }
    }
    const warning = render.takeChartFontWarning();
    if (warning !== undefined) this.log.warn(warning);
    return { charts, omitted: Math.max(0, firing.length - MAX_CHARTS) };
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }
}
