/** Text for Telegram's HTML parse mode: escaping, values with units, ages. */
import { formatDuration, formatNumber } from '../../alarms/alarm.js';
import { unitOfField } from '../charts/unit.js';

/** Telegram's HTML mode needs `<`, `>` and `&` escaped, and nothing else. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `42.5 %`, `1.2 GiB`, `230 W`, or the bare number when the field names no unit. */
export function formatValue(value: number | string, field: string): string {
  if (typeof value === 'string') return value;
  const unit = unitOfField(field);
  if (unit === 'B') {
    let scaled = value;
    let index = 0;
    while (Math.abs(scaled) >= 1024 && index < BYTE_UNITS.length - 1) {
      scaled /= 1024;
      index++;
    }
    return `${formatNumber(scaled)} ${BYTE_UNITS[index]}`;
  }
  return unit === undefined ? formatNumber(value) : `${formatNumber(value)} ${unit}`;
}

/** `5s ago`, `2h 3m ago`; `now` for times at or after `now`. */
export function formatAge(time: number, now: number): string {
  const age = now - time;
  return age < 1000 ? 'now' : `${formatDuration(age)} ago`;
}
