/**
 * Per-process series stay bounded on a busy host, end to end: the real host agent (processes read
 * every 250 ms, the top 3 by CPU and by memory) over a real busbar into the history store, while the
 * test starts busy processes with names never seen before. Once the roster of reported names is full
 * (2 × top, and `_other` for the rest), dozens of new processes, busier than most, add no series:
 * the store's procstat series stay the same names, in number at most 7 identities × 7 fields.
 * (processes.test.ts shows the roster's rules on recorded readings: who enters, when one expires.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostBusbar } from './host-busbar.js';
import type { WebBusbar } from './web-fixture.js';

const TOP = 3;
/** The roster (2 × top) and `_other`. */
const IDENTITIES = 2 * TOP + 1;
/** The fields of one identity (agents/host/collectors/processes.ts). */
const FIELDS = [
  'cpu_usage',
  'memory_rss',
  'memory_usage',
  'num_threads',
  'read_bytes',
  'write_bytes',
  'processes',
];

let web: WebBusbar;
let host = '';
let dir = '';
let started = 0;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  ({ web, host } = await startHostBusbar({ processes: { interval: '250ms', top: TOP } }));
  dir = mkdtempSync(path.join(tmpdir(), 'busbar-procs-'));
}, 60_000);

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await web?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * A shell spinning for `ms` under a name never used before: the kernel names a process after the
 * file it executed, so each symlink to /bin/sh is a new command name (`job<n>`).
 */
async function busyProcess(ms: number): Promise<void> {
  const name = `job${started++}`;
  const link = path.join(dir, name);
  symlinkSync('/bin/sh', link);
  const child = spawn(link, ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  running.add(child);
  await new Promise((resolve) => setTimeout(resolve, ms));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  running.delete(child);
}

interface Series {
  name: string;
  field: string;
  tags: Record<string, string>;
}

async function procstatSeries(): Promise<Series[]> {
  const pattern = encodeURIComponent(`${host}/procstat/*`);
  return (await (await fetch(`${web.base}/api/series?pattern=${pattern}`)).json()) as Series[];
}

const identities = (series: readonly Series[]): Set<string> =>
  new Set(series.map((s) => s.tags.process_name ?? ''));

describe('procstat series on a busy host, end to end', () => {
  it('once the roster is full, new busy processes add no series', async () => {
    // The first phase: busy newcomers (and the host's own processes) fill the roster.
    let names = identities(await procstatSeries());
    while (names.size < IDENTITIES) {
      await Promise.all([busyProcess(1500), busyProcess(1500)]);
      names = identities(await procstatSeries());
      expect(names.size).toBeLessThanOrEqual(IDENTITIES);
    }
    const before = await procstatSeries();
    expect(names.has('_other')).toBe(true);

    // Then thirty more, two at a time, each alive for several readings and busier than most.
    for (let round = 0; round < 15; round++) await Promise.all([busyProcess(1000), busyProcess(1000)]);
    // Readings made while the last ones ran are stored within a flush; two more intervals are waited.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const after = await procstatSeries();
    expect(identities(after)).toEqual(names);
    expect(after.length).toBeLessThanOrEqual(IDENTITIES * FIELDS.length);
    for (const s of after) expect(FIELDS).toContain(s.field);
    // Every series stored before still is; any added is a field of a name already reported.
    const afterNames = new Set(after.map((s) => s.name));
    for (const s of before) expect(afterNames.has(s.name), s.name).toBe(true);
  }, 180_000);
});
