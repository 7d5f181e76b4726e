/**
 * The machine's facts panel, from its inventory (`busbar/inventory/<source>`, agents/host/
 * inventory.ts): CPU, cores, frequency, memory, disks, OS, system, and the uptime the agent reports.
 */
import { el } from './dom.js';
import type { RangeResult } from './history-types.js';
import { format } from './units.js';

/** The inventory as agents/host/inventory.ts writes it; every fact may be absent. */
export interface Inventory {
  readonly agent?: { readonly version?: string };
  readonly cpu?: {
    readonly manufacturer?: string;
    readonly brand?: string;
    readonly cores?: number;
    readonly physicalCores?: number;
    readonly speedGHz?: number;
    readonly speedMaxGHz?: number;
  };
  readonly memory?: { readonly total?: number; readonly swapTotal?: number };
  readonly disks?: ReadonlyArray<{
    readonly name: string;
    readonly size: number;
    readonly model?: string;
    readonly physical?: string;
  }>;
  readonly os?: {
    readonly distro?: string;
    readonly release?: string;
    readonly arch?: string;
    readonly kernel?: string;
  };
  readonly system?: { readonly manufacturer?: string; readonly model?: string; readonly virtual?: boolean };
}

const joined = (...parts: ReadonlyArray<string | undefined>): string => parts.filter(Boolean).join(' ');

/** [name, value] rows of the facts worth stating. */
function factRows(i: Inventory, uptimeSeconds: unknown): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const add = (name: string, value: unknown): void => {
    if (value !== undefined && value !== null && value !== '') rows.push([name, String(value)]);
  };
  if (i.cpu) {
    add('CPU', joined(i.cpu.manufacturer, i.cpu.brand));
    add('cores', `${i.cpu.cores}${i.cpu.physicalCores ? ` (${i.cpu.physicalCores} physical)` : ''}`);
    if (i.cpu.speedGHz)
      add('frequency', `${i.cpu.speedGHz} GHz${i.cpu.speedMaxGHz ? ` (max ${i.cpu.speedMaxGHz} GHz)` : ''}`);
  }
  if (i.memory) {
    add('memory', format(i.memory.total, 'bytes'));
    if (i.memory.swapTotal) add('swap', format(i.memory.swapTotal, 'bytes'));
  }
  for (const d of i.disks ?? [])
    add(
      `disk ${d.name}`,
      `${format(d.size, 'bytes')}${d.model ? ` ${d.model}` : ''}${d.physical ? ` (${d.physical})` : ''}`,
    );
  if (i.os)
    add('OS', joined(i.os.distro, i.os.release, i.os.arch) + (i.os.kernel ? `, kernel ${i.os.kernel}` : ''));
  if (i.system)
    add('system', joined(i.system.manufacturer, i.system.model) + (i.system.virtual ? ' (virtual)' : ''));
  if (typeof uptimeSeconds === 'number') add('uptime', format(uptimeSeconds, 's'));
  if (i.agent) add('agent', i.agent.version);
  return rows;
}

/** Fills the facts panel (`section` holding a `dl`), or hides it when there is no inventory. */
export function showFacts(
  section: HTMLElement,
  inventory: Inventory | null,
  system: readonly RangeResult[] | undefined,
): void {
  section.hidden = inventory === null;
  if (inventory === null) return;
  const uptime = system?.find((r) => r.series.field === 'uptime' && r.points.length > 0);
  const rows = factRows(inventory, uptime?.points[uptime.points.length - 1]?.value);
  const list = el(
    'dl',
    {},
    ...rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', { 'data-fact': name }, value)]),
  );
  section.querySelector('dl')?.replaceWith(list);
}
