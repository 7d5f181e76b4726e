/**
 * busbar's own state over HTTP: GET /api/broker/clients from the broker's retained client list, and
 * the named Server-Sent Events of /api/events?state=..., sent at connect and again on each change.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Clients } from '../helpers/mqtt-clients.js';
import { ADMIN, DISK_RULE, basic, startWebBusbar, webUsers, type WebBusbar } from './web-fixture.js';

let web: WebBusbar;
const clients = new Clients();

beforeAll(async () => {
  web = await startWebBusbar({ ...(await webUsers()), agent: { enabled: false }, alarms: DISK_RULE });
});

afterEach(async () => {
  await clients.closeAll();
});

afterAll(async () => {
  await web?.stop();
});

/** Reads an SSE stream's named events as they come. */
class EventReader {
  private text = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** Every `event: <name>` payload so far, in order. */
  events(name: string): unknown[] {
    const pattern = new RegExp(`^event: ${name}\\ndata: (.*)$`, 'gm');
    return [...this.text.matchAll(pattern)].map((match) => JSON.parse(match[1]!) as unknown);
  }

  /** How many `data:` lines came without an event name (metric values). */
  unnamed(): number {
    return [...this.text.matchAll(/^data: /gm)].length - [...this.text.matchAll(/^event: /gm)].length;
  }

  /** Reads until `holds()` is true. */
  async until(holds: () => boolean): Promise<void> {
    while (!holds()) {
      const { value, done } = await this.reader.read();
      if (done) throw new Error(`stream ended: ${this.text}`);
      this.text += new TextDecoder().decode(value);
    }
  }
}

describe('GET /api/broker/clients', () => {
  it('lists the MQTT clients connected to the broker, without their passwords', async () => {
    await clients.connect(web.busbar.url, {
      clientId: 'api-test-client',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    let list: { clientId: string; username: string | null }[] = [];
    for (;;) {
      list = (await (await fetch(`${web.base}/api/broker/clients`)).json()) as typeof list;
      if (list.some((client) => client.clientId === 'api-test-client')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(list.find((client) => client.clientId === 'api-test-client')).toMatchObject({
      username: ADMIN.username,
      protocol: 'MQTT 3.1.1',
    });
    expect(JSON.stringify(list)).not.toContain(ADMIN.password);
  });
});

describe('GET /api/events?state=', () => {
  it('sends silences and alarms at connect and again when a silence is added', async () => {
    const controller = new AbortController();
    try {
      const response = await fetch(`${web.base}/api/events?state=silences,alarms`, {
        signal: controller.signal,
      });
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      const stream = new EventReader(response.body!);
      await stream.until(() => stream.events('silences').length > 0 && stream.events('alarms').length > 0);
      expect(stream.events('silences')).toEqual([[]]);

      const created = await fetch(`${web.base}/api/silences`, {
        method: 'POST',
        headers: { ...basic(ADMIN), 'content-type': 'application/json' },
        body: JSON.stringify({ matchers: { source: 'web9' }, duration: '10m', comment: 'live' }),
      });
      expect(created.status).toBe(201);
      const silence = (await created.json()) as { id: string };
      await stream.until(() => stream.events('silences').length > 1);
      expect(stream.events('silences').at(-1)).toEqual([
        expect.objectContaining({ id: silence.id, comment: 'live' }),
      ]);
      // Whether an alarm is silenced follows the silences: the alarms are sent again with them.
      await stream.until(() => stream.events('alarms').length > 1);
      // Metric values were not asked for: none are sent.
      await web.busbar.running.bus.publish('busbar/metrics/web1/cpu', 'cpu,host=web1 usage_user=1', {
        qos: 1,
      });
      const removed = await fetch(`${web.base}/api/silences/${silence.id}`, {
        method: 'DELETE',
        headers: basic(ADMIN),
      });
      expect(removed.status).toBe(204);
      await stream.until(() => stream.events('silences').length > 2);
      expect(stream.events('silences').at(-1)).toEqual([]);
      expect(stream.events('stats')).toEqual([]);
      expect(stream.unnamed()).toBe(0);
    } finally {
      controller.abort();
    }
  });

  it('refuses an unknown part with 400 naming it', async () => {
    const response = await fetch(`${web.base}/api/events?state=alarms,weather`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: 'invalid',
      message: 'state: weather; one of alarms, silences, stats, clients, rates',
    });
  });
});
