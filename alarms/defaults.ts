/**
 * The built-in rules `alarms.defaults: true` adds, on the host agent's measurements (docs/components/agent.md;
 * Telegraf's names).
 */
import { alarmRuleSchema, type AlarmRule } from './config.js';

export const DEFAULT_RULES: readonly AlarmRule[] = [
  {
    kind: 'threshold',
    name: 'disk_used',
    measurement: 'disk',
    field: 'used_percent',
    above: 90,
    clear: 88,
    severity: 'warning',
  },
  {
    kind: 'trend',
    name: 'disk_full_soon',
    measurement: 'disk',
    field: 'used_percent',
    above: 100,
    window: '6h',
    horizon: '24h',
    severity: 'warning',
  },
  {
    kind: 'threshold',
    name: 'memory_available_low',
    measurement: 'mem',
    field: 'available_percent',
    below: 10,
    clear: 12,
    for: '5m',
    severity: 'warning',
  },
  {
    kind: 'threshold',
    name: 'load_per_core',
    measurement: 'system',
    field: 'load1',
    per: 'n_cpus',
    above: 2,
    for: '10m',
    severity: 'warning',
  },
  { kind: 'offline', name: 'source_offline', for: '2m', severity: 'critical' },
].map((rule) => alarmRuleSchema.parse(rule));
