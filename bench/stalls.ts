/**
 * Names the tasks that held busbar's event loop: reads a `node --cpu-prof` profile and lists each
 * run of consecutive non-idle samples longer than a threshold (a task, or tasks back to back, that
 * kept the loop from serving sockets), with the functions it spent its time in.
 *   node dist/bench/stalls.js PROFILE.cpuprofile [threshold ms, default 2] [skip ms, default 5000]
 * The first `skip` ms (start-up: module loading, first samples) are left out.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, thresholdText, skipText] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/bench/stalls.js PROFILE.cpuprofile [threshold ms]\n');
  process.exit(2);
}
const thresholdMs = Number(thresholdText ?? 2);
const skipUs = Number(skipText ?? 5_000) * 1000;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const IDLE = new Set(['(idle)', '(root)']);
const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url
        .replace(/^file:\/\//, '')
        .split('/node_modules/')
        .at(-1)!
        .replace(/^.*\/dist\//, '')}:${lineNumber + 1}`
    : '';
  return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
};
/** The outermost frame of busbar's own code (dist/, not node_modules) on the sample's stack. */
const owner = (id: number): string => {
  let found: ProfileNode | undefined;
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const node = byId.get(at)!;
    if (node.callFrame.url.includes('/dist/') && !node.callFrame.url.includes('/node_modules/')) found = node;
  }
  return found ? label(found) : label(byId.get(id)!);
};

interface Run {
  startUs: number;
  durationUs: number;
  /**
   * Samples taken in the run. V8 samples the thread only while it runs, so on a loaded machine a
   * run's duration includes time spent waiting for a CPU, while samples × interval is about its CPU.
   */
  samples: number;
  self: Map<string, number>;
  owners: Map<string, number>;
}
const runs: Run[] = [];
let current: Run | undefined;
let time = profile.startTime;
let totalBusyUs = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i + 1] ?? 0; // a sample's weight: the time until the next one
  time += profile.timeDeltas[i] ?? 0;
  const node = byId.get(profile.samples[i]!)!;
  if (time - profile.startTime < skipUs) continue;
  if (IDLE.has(node.callFrame.functionName)) {
    if (current) runs.push(current);
    current = undefined;
    continue;
  }
  totalBusyUs += delta;
  current ??= { startUs: time, durationUs: 0, samples: 0, self: new Map(), owners: new Map() };
  current.durationUs += delta;
  current.samples++;
  const self = label(node);
  current.self.set(self, (current.self.get(self) ?? 0) + delta);
  const own = owner(node.id);
  current.owners.set(own, (current.owners.get(own) ?? 0) + delta);
}
if (current) runs.push(current);

const top = (map: Map<string, number>, n: number): string =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => `${(us / 1000).toFixed(1)} ${name}`)
    .join('; ');
const long = runs.filter((run) => run.durationUs >= thresholdMs * 1000);
const spanS = (time - profile.startTime) / 1e6;
process.stdout.write(
  `${path.basename(file)}: ${spanS.toFixed(1)} s, busy ${(totalBusyUs / 1e6).toFixed(2)} s, ` +
    `${long.length} runs ≥ ${thresholdMs} ms (${(long.reduce((s, r) => s + r.durationUs, 0) / 1e3).toFixed(0)} ms)\n`,
);
const owners = new Map<string, number>();
for (const run of long) for (const [name, us] of run.owners) owners.set(name, (owners.get(name) ?? 0) + us);
process.stdout.write(`in long runs, by outermost busbar frame (ms): ${top(owners, 12)}\n`);
for (const run of long) {
  process.stdout.write(
    `+${((run.startUs - profile.startTime) / 1000).toFixed(0)} ms  ${(run.durationUs / 1000).toFixed(1)} ms (${run.samples} samples)  ` +
      `owners: ${top(run.owners, 3)} | self: ${top(run.self, 3)}\n`,
  );
}
