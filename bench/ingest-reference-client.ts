/**
 * The reference pipeline's client: what a site writes when it puts a plain subscriber between
 * Mosquitto and VictoriaMetrics (the job Telegraf's mqtt_consumer or a Node-RED flow does there).
 * It subscribes with mqtt.js, turns each message into line protocol (a JSON point `{"value", "ts"}`
 * on `<root>/<host>`, or line protocol passed on as it is), and posts batches to VictoriaMetrics'
 * /api/v2/write, one request at a time, keeping a failed batch to post again. It keeps nothing on
 * disk: what it holds when it dies is lost, which busbar's stores would not lose.
 *
 * Run by ingest-reference.ts as a process of its own, so that its CPU and memory are its own.
 * Prints one JSON line per event on stdout: `{"ready":true}` once subscribed, then
 * `{"written":N}` after each batch VictoriaMetrics accepted (N in total).
 *
 * Usage: node ingest-reference-client.js BROKER_URL FILTER QOS json|line MEASUREMENT VM_URL BATCH
 */
import mqtt from 'mqtt';

const [brokerUrl, filter, qosText, format, measurement, vmUrl, batchText] = process.argv.slice(2);
const qos = Number(qosText);
const batchLines = Number(batchText);
if (
  brokerUrl === undefined ||
  filter === undefined ||
  (qos !== 0 && qos !== 1) ||
  (format !== 'json' && format !== 'line') ||
  measurement === undefined ||
  vmUrl === undefined ||
  !(batchLines > 0)
) {
  process.stderr.write(
    `usage: ingest-reference-client BROKER_URL FILTER 0|1 json|line MEASUREMENT VM_URL BATCH (got ${process.argv.slice(2).join(' ')})\n`,
  );
  process.exit(2);
}

/** A partly filled batch is posted after this long, as Telegraf's flush interval does. */
const FLUSH_EVERY_MS = 100;
const RETRY_AFTER_MS = 200;

let lines: string[] = [];
/** Lines in `lines` (a message of line protocol may hold many). */
let pendingLines = 0;
/** Batches cut and not yet accepted, each with its count of lines. */
const ready: { body: string; lines: number }[] = [];
let posting = false;
let written = 0;

const report = (event: object): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

function toLine(topic: string, payload: Buffer): string | undefined {
  if (format === 'line') return payload.toString();
  const host = topic.slice(topic.lastIndexOf('/') + 1);
  try {
    const point = JSON.parse(payload.toString()) as { value?: unknown; ts?: unknown };
    if (typeof point.value !== 'number' || typeof point.ts !== 'number') return undefined;
    return `${measurement},host=${host} value=${point.value} ${point.ts}000000`;
  } catch {
    return undefined;
  }
}

function cut(): void {
  if (lines.length === 0) return;
  ready.push({ body: lines.join('\n'), lines: pendingLines });
  lines = [];
  pendingLines = 0;
  void post();
}

async function post(): Promise<void> {
  if (posting) return;
  posting = true;
  while (ready.length > 0) {
    const { body, lines: linesInBody } = ready[0]!;
    try {
      const response = await fetch(`${vmUrl}/api/v2/write?bucket=bench&precision=ns`, {
        method: 'POST',
        body,
      });
      await response.body?.cancel();
      if (response.status !== 204) throw new Error(`VictoriaMetrics answered ${response.status}`);
      ready.shift();
      written += linesInBody;
      report({ written });
    } catch (error) {
      process.stderr.write(`reference client: ${error instanceof Error ? error.message : String(error)}\n`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS));
    }
  }
  posting = false;
}

function count(body: string): number {
  let n = 1;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) n++;
  return n;
}

const client = await mqtt.connectAsync(brokerUrl, {
  clientId: `bench-reference-${process.pid}`,
  protocolVersion: 4,
  clean: true,
  reconnectPeriod: 0,
});
client.on('message', (topic, payload) => {
  const line = toLine(topic, payload);
  if (line === undefined) return;
  lines.push(line);
  // The batch is counted in lines, as the sink's batchSize is.
  pendingLines += format === 'line' ? count(line) : 1;
  if (pendingLines >= batchLines) cut();
});
setInterval(cut, FLUSH_EVERY_MS);
await client.subscribeAsync(filter, { qos });
report({ ready: true });
process.once('SIGTERM', () => {
  void client.endAsync().finally(() => process.exit(0));
});
