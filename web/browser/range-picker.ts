/**
 * The source page's range controls: presets, a custom from/to, the refresh interval, and the range
 * shown in the viewer's zone (UTC on hover). Changes go to the URL (time-range.ts) and reload.
 */
import { byId, el, fill } from './dom.js';
import { localTime, utcTime } from './time.js';
import { isLive, rangeFromUrl, rangeToUrl, resolve, type RangeText, type Span } from './time-range.js';

const PRESETS = ['15m', '1h', '6h', '24h', '7d', '30d'];
const REFRESH = ['off', '10s', '30s', '1m', '5m'];

/** `2026-12-07T04:05` in the viewer's zone, as a datetime-local input takes it. */
function localInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

export class RangePicker {
  range: RangeText = rangeFromUrl(location.search);
  private readonly preset = byId<HTMLSelectElement>('range');
  private readonly refresh = byId<HTMLSelectElement>('refresh');
  private readonly fromInput = byId<HTMLInputElement>('custom-from');
  private readonly toInput = byId<HTMLInputElement>('custom-to');

  /** `reload` is called when the range changes, `refreshChanged` when only the interval does. */
  constructor(
    private readonly reload: () => void,
    private readonly refreshChanged: () => void,
  ) {
    fill(this.preset, [
      ...PRESETS.map((p) => el('option', { value: `-${p}` }, `last ${p}`)),
      el('option', { value: 'custom' }, 'custom'),
    ]);
    fill(
      this.refresh,
      REFRESH.map((r) => el('option', { value: r }, r)),
    );
    this.preset.addEventListener('change', () => {
      if (this.preset.value === 'custom') byId<HTMLDetailsElement>('custom').open = true;
      else this.set({ from: this.preset.value, to: 'now' });
    });
    this.refresh.addEventListener('change', () => {
      this.range.refresh = this.refresh.value;
      rangeToUrl(this.range, false);
      this.refreshChanged();
    });
    byId('custom-apply').addEventListener('click', () => {
      const from = new Date(this.fromInput.value).getTime();
      const to = new Date(this.toInput.value).getTime();
      if (Number.isFinite(from) && Number.isFinite(to) && from < to)
        this.set({ from: String(from), to: String(to) });
    });
    window.addEventListener('popstate', () => {
      this.range = rangeFromUrl(location.search);
      this.reload();
    });
    rangeToUrl(this.range, false);
  }

  resolved(): Span {
    return resolve(this.range);
  }

  live(): boolean {
    return isLive(this.range);
  }

  /** A new range, as a new entry in the browser's history. */
  set(next: { from: string; to: string }): void {
    this.range = { ...this.range, from: next.from, to: next.to };
    rangeToUrl(this.range, true);
    this.reload();
  }

  /** The range dragged across a chart. */
  readonly zoom = (from: number, to: number): void => this.set({ from: String(from), to: String(to) });

  /** The controls as the range is. */
  show(): void {
    const { from, to } = this.range;
    this.preset.value = PRESETS.includes(from.slice(1)) && to === 'now' ? from : 'custom';
    const span = this.resolved();
    this.fromInput.value = localInput(span.from);
    this.toInput.value = localInput(span.to);
    this.refresh.value = this.range.refresh;
    const shown = byId('range-shown');
    shown.textContent = `${localTime(span.from)} – ${this.live() ? 'now' : localTime(span.to)}`;
    shown.title = `${utcTime(span.from)} – ${utcTime(span.to)}`;
  }
}
