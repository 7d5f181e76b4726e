/**
 * The benchmark's reference: a bare process that calls, every interval, the systeminformation
 * functions a naive agent would use for the same metrics (no MQTT, no line protocol, nothing kept).
 * Its CPU time is what "just asking systeminformation" costs on this machine.
 */
import si from 'systeminformation';

const intervalMs = Number(process.argv[2] ?? 10_000);
if (!Number.isFinite(intervalMs) || intervalMs <= 0)
  throw new Error(`interval ${process.argv[2]} is not a number of ms`);

async function sample(): Promise<void> {
  await Promise.all([
    si.currentLoad(),
    si.mem(),
    si.fsSize(),
    si.disksIO(),
    si.networkStats('*'),
    si.cpuTemperature(),
    si.users(),
    si.processes(),
  ]);
}

let stopping = false;
process.once('SIGTERM', () => (stopping = true));
process.once('SIGINT', () => (stopping = true));
while (!stopping) {
  const started = Date.now();
  await sample();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
}
