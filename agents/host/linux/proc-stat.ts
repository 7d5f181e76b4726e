/**
 * /proc/stat CPU lines (proc(5)): `cpu  user nice system idle iowait irq softirq steal guest
 * guest_nice`, in USER_HZ ticks, the first line for all CPUs and one `cpuN` line per online core.
 * Older kernels print fewer columns; the missing ones are 0.
 */
import type { CpuTimes } from '../readings.js';

const COLUMNS = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
  'guest',
  'guestNice',
] as const;

function times(values: string[]): CpuTimes {
  const result = {} as CpuTimes;
  COLUMNS.forEach((column, index) => {
    const value = Number(values[index] ?? 0);
    result[column] = Number.isFinite(value) ? value : 0;
  });
  return result;
}

export function parseProcStat(text: string): { total: CpuTimes; cores: { name: string; times: CpuTimes }[] } {
  let total: CpuTimes | undefined;
  const cores: { name: string; times: CpuTimes }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [name, ...values] = line.trim().split(/\s+/);
    if (name === 'cpu') total = times(values);
    else if (name !== undefined && /^cpu\d+$/.test(name)) cores.push({ name, times: times(values) });
  }
  if (total === undefined) throw new Error('/proc/stat has no "cpu" line');
  return { total, cores };
}
