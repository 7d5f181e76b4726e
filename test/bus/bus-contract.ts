/**
 * What every Bus implementation promises, checked against real brokers and real MQTT clients over
 * TCP: test/bus/local.test.ts, remote-mosquitto.test.ts and remote-aedes.test.ts run this same suite.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage, PublishOptions } from '../../core/bus/bus.js';
import { BusbarError } from '../../core/runtime/errors.js';
import { collect, sleep, waitUntil, type ExternalSubscription } from './external-client.js';

export interface BusFixture {
  readonly bus: Bus;
  /** Another bus on the same broker (remote: another connection). The fixture closes it too. */
  createPeerBus(): Promise<Bus>;
  /** Publishes with a real mqtt.js client over TCP. */
  publishExternally(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
  /** Subscribes a real mqtt.js client over TCP (QoS 1 by default). */
  subscribeExternally(filter: string, options?: { qos?: 0 | 1 }): Promise<ExternalSubscription>;
  /** Closes the buses and clients; the broker outlives the fixture. */
  close(): Promise<void>;
}

export interface BusCapabilities {
  /**
   * Whether subscriptions with the same shareGroup on two buses (two connections) split the messages
   * between them. When they cannot, say why: the suite then checks the documented fallback (each bus
   * gets every message, shared among its own subscriptions) under a test name that says so.
   */
  readonly shareAcrossBuses: true | { readonly notApplicable: string };
}

export interface BusContractTarget {
  readonly capabilities: BusCapabilities;
  create(): Promise<BusFixture>;
}

const numbered = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i));

export function describeBusContract(name: string, target: BusContractTarget): void {
  describe(`Bus contract: ${name}`, () => {
    let fixture: BusFixture;
    let bus: Bus;
    let base: string;

    beforeEach(async () => {
      fixture = await target.create();
      bus = fixture.bus;
      // Tests share a broker: a fresh prefix keeps their topics (and retained messages) apart.
      base = `contract/${randomUUID().slice(0, 8)}`;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('publish reaches an external MQTT subscriber at QoS 0 and 1, payload bytes exact', async () => {
      const external = await fixture.subscribeExternally(`${base}/#`);
      const binary = Buffer.concat([Buffer.from([0, 1, 0xff, 0xfe, 0x80, 0x0a, 0]), randomBytes(4096)]);
      await bus.publish(`${base}/q0`, binary, { qos: 0 });
      await bus.publish(`${base}/q1`, binary, { qos: 1 });
      await bus.publish(`${base}/text`, 'héllo ✓');
      const [q0, q1, text] = await external.waitFor(3);
      expect(q0).toMatchObject({ topic: `${base}/q0`, qos: 0, retain: false });
      expect(q0?.payload.equals(binary)).toBe(true);
      expect(q1).toMatchObject({ topic: `${base}/q1`, qos: 1, retain: false });
      expect(q1?.payload.equals(binary)).toBe(true);
      expect(text?.payload.equals(Buffer.from('héllo ✓', 'utf8'))).toBe(true);
    });

    it('an external publish reaches a bus subscriber, payload bytes exact', async () => {
      const received = await collect(bus, `${base}/in/+`);
      const binary = randomBytes(1000);
      await fixture.publishExternally(`${base}/in/a`, binary, { qos: 1 });
      await fixture.publishExternally(`${base}/in/b`, Buffer.alloc(0), { qos: 0 });
      const [a, b] = await received.waitFor(2);
      expect(a).toMatchObject({ topic: `${base}/in/a`, qos: 1, retain: false });
      expect(a?.payload.equals(binary)).toBe(true);
      expect(b).toMatchObject({ topic: `${base}/in/b`, qos: 0, retain: false });
      expect(b?.payload.length).toBe(0);
    });

    it('a message is delivered at the subscription QoS when published higher', async () => {
      const received = await collect(bus, `${base}/x`, { qos: 0 });
      await fixture.publishExternally(`${base}/x`, 'one', { qos: 1 });
      const [message] = await received.waitFor(1);
      expect(message?.qos).toBe(0);
    });

    it('wildcards: + matches one level, # the parent and every level below', async () => {
      const plus = await collect(bus, `${base}/+/temp`);
      const hash = await collect(bus, `${base}/a/#`);
      const topics = ['a/temp', 'b/temp', 'a/hum', 'a', 'a/b/temp', 'c'].map((t) => `${base}/${t}`);
      for (const topic of topics) await bus.publish(topic, topic, { qos: 1 });
      await plus.waitFor(2);
      await hash.waitFor(4);
      await sleep(100);
      expect(plus.payloads()).toEqual([`${base}/a/temp`, `${base}/b/temp`]);
      expect(hash.payloads()).toEqual([`${base}/a/temp`, `${base}/a/hum`, `${base}/a`, `${base}/a/b/temp`]);
    });

    it('$SYS topics reach an explicit $SYS filter but never one starting with a wildcard [MQTT-4.7.2-1]', async () => {
      const everything = await collect(bus, '#');
      const sys = await collect(bus, '$SYS/#');
      // A client connecting makes Aedes publish $SYS/<id>/new/clients; Mosquitto keeps $SYS retained.
      await fixture.subscribeExternally(`${base}/nothing`);
      await sys.waitFor(1);
      await bus.publish(`${base}/sentinel`, 'end', { qos: 1 });
      await waitUntil(() => everything.messages.some((m) => m.topic === `${base}/sentinel`), 'the sentinel');
      expect(sys.messages.every((m) => m.topic.startsWith('$SYS/'))).toBe(true);
      expect(everything.messages.filter((m) => m.topic.startsWith('$'))).toEqual([]);
    });

    it('a retained message reaches later subscribers, external and bus, flagged retained', async () => {
      await bus.publish(`${base}/state`, 'on', { qos: 1, retain: true });
      const external = await fixture.subscribeExternally(`${base}/#`);
      const [seenOutside] = await external.waitFor(1);
      expect(seenOutside).toMatchObject({ topic: `${base}/state`, retain: true });
      expect(seenOutside?.payload.toString()).toBe('on');

      const first = await collect(bus, `${base}/+`);
      await first.waitFor(1);
      expect(first.messages[0]).toMatchObject({ topic: `${base}/state`, retain: true });

      // A second subscription to the same filter gets it too.
      const second = await collect(bus, `${base}/+`);
      await second.waitFor(1);
      expect(second.messages[0]).toMatchObject({ topic: `${base}/state`, retain: true });

      // Live messages are not flagged, even when published with retain. (The remote bus may hand the
      // first subscription the retained state again when the second subscribes: flagged, never live.)
      await bus.publish(`${base}/state`, 'off', { qos: 1, retain: true });
      await waitUntil(() => first.payloads().includes('off'), 'the live message on the first subscription');
      await waitUntil(() => second.payloads().includes('off'), 'the live message on the second subscription');
      for (const received of [first, second]) {
        const live = received.messages.filter((m) => !m.retain).map((m) => m.payload.toString());
        const replayed = received.messages.filter((m) => m.retain).map((m) => m.payload.toString());
        expect(live).toEqual(['off']);
        expect(new Set(replayed)).toEqual(new Set(['on']));
        expect(received.messages.at(-1)?.payload.toString()).toBe('off');
      }
    });

    it('an empty retained payload clears the retained message', async () => {
      await bus.publish(`${base}/gone`, 'soon gone', { qos: 1, retain: true });
      await bus.publish(`${base}/gone`, '', { qos: 1, retain: true });
      const later = await collect(bus, `${base}/#`);
      await bus.publish(`${base}/sentinel`, 'live', { qos: 1 });
      await later.waitFor(1);
      expect(later.payloads()).toEqual(['live']);
    });

    it('keeps the order of 1,000 QoS 1 messages: external → bus, bus → bus, bus → external', async () => {
      const fromOutside = await collect(bus, `${base}/in`);
      const fromBus = await collect(bus, `${base}/own`);
      const outside = await fixture.subscribeExternally(`${base}/own`);
      const payloads = numbered(1000);
      await Promise.all(payloads.map((p) => fixture.publishExternally(`${base}/in`, p, { qos: 1 })));
      await Promise.all(payloads.map((p) => bus.publish(`${base}/own`, p, { qos: 1 })));
      await fromOutside.waitFor(1000);
      await fromBus.waitFor(1000);
      await outside.waitFor(1000);
      expect(fromOutside.payloads()).toEqual(payloads);
      expect(fromBus.payloads()).toEqual(payloads);
      expect(outside.payloads()).toEqual(payloads);
    });

    it('a handler that throws or rejects does not stop later messages, and is counted', async () => {
      const handled: string[] = [];
      const subscription = await bus.subscribe(`${base}/h`, async (message) => {
        const text = message.payload.toString();
        handled.push(text);
        if (text === 'throw') throw new Error('handler bug');
        if (text === 'reject') await Promise.reject(new Error('async handler bug'));
      });
      for (const text of ['ok1', 'throw', 'ok2', 'reject', 'ok3'])
        await bus.publish(`${base}/h`, text, { qos: 1 });
      await waitUntil(() => handled.length === 5, 'five handler calls');
      expect(handled).toEqual(['ok1', 'throw', 'ok2', 'reject', 'ok3']);
      await waitUntil(() => subscription.failed === 2, 'two failures counted');
    });

    it('a slow handler with a small queue still gets every QoS 1 message, in order', async () => {
      const handled: string[] = [];
      let deepest = 0;
      const subscription = await bus.subscribe(
        `${base}/slow`,
        async (message) => {
          deepest = Math.max(deepest, subscription.queued);
          handled.push(message.payload.toString());
          await sleep(1);
        },
        { queueSize: 4 },
      );
      const payloads = numbered(300);
      await Promise.all(payloads.map((p) => fixture.publishExternally(`${base}/slow`, p, { qos: 1 })));
      await waitUntil(() => handled.length === 300, '300 messages handled', 20_000);
      expect(handled).toEqual(payloads);
      expect(subscription.dropped).toBe(0);
      expect(deepest).toBeLessThanOrEqual(4);
    });

    it('a handler that publishes to its own filter while its queue is full does not deadlock', async () => {
      const seen: string[] = [];
      await bus.subscribe(
        `${base}/loop/#`,
        async (message) => {
          seen.push(message.topic);
          if (!message.topic.endsWith('/echo'))
            await bus.publish(`${base}/loop/echo`, message.payload, { qos: 1 });
        },
        { queueSize: 1 },
      );
      // Published all at once, so the queue is full when the handler publishes.
      const burst = numbered(200).map((p) => bus.publish(`${base}/loop/in`, p, { qos: 1 }));
      await waitUntil(() => seen.length === 400, '200 messages and their 200 echoes', 20_000);
      await Promise.all(burst);
    });

    it('unsubscribe stops delivery to that subscription only', async () => {
      const leaving = await collect(bus, `${base}/u`);
      const staying = await collect(bus, `${base}/u`);
      await bus.publish(`${base}/u`, 'm1', { qos: 1 });
      await leaving.waitFor(1);
      await staying.waitFor(1);
      await leaving.subscription.unsubscribe();
      await bus.publish(`${base}/u`, 'm2', { qos: 1 });
      await staying.waitFor(2);
      await staying.subscription.unsubscribe();
      const witness = await fixture.subscribeExternally(`${base}/u`);
      await bus.publish(`${base}/u`, 'm3', { qos: 1 });
      await witness.waitFor(1);
      await sleep(50);
      expect(leaving.payloads()).toEqual(['m1']);
      expect(staying.payloads()).toEqual(['m1', 'm2']);
    });

    it('shareGroup on one bus: each member gets a part, together every message exactly once', async () => {
      const one = await collect(bus, `${base}/work/+`, { shareGroup: 'workers' });
      const two = await collect(bus, `${base}/work/+`, { shareGroup: 'workers' });
      const everything = await collect(bus, `${base}/work/+`);
      const payloads = numbered(100);
      await Promise.all(payloads.map((p) => fixture.publishExternally(`${base}/work/job`, p, { qos: 1 })));
      await everything.waitFor(100);
      await waitUntil(() => one.messages.length + two.messages.length >= 100, 'every message shared out');
      await sleep(100);
      expect(one.messages.length).toBeGreaterThan(0);
      expect(two.messages.length).toBeGreaterThan(0);
      expect([...one.payloads(), ...two.payloads()].sort()).toEqual([...payloads].sort());
      expect(everything.payloads()).toEqual(payloads);
    });

    it('shareGroup: a new shared subscription gets no retained messages (as MQTT 5 shared subscriptions)', async () => {
      await bus.publish(`${base}/kept`, 'retained', { qos: 1, retain: true });
      const member = await collect(bus, `${base}/+`, { shareGroup: 'g' });
      await bus.publish(`${base}/live`, 'live', { qos: 1 });
      await member.waitFor(1);
      await sleep(50);
      expect(member.payloads()).toEqual(['live']);
    });

    const sharing = target.capabilities.shareAcrossBuses;
    if (sharing === true) {
      it('shareGroup across two buses: each gets a part, together every message exactly once', async () => {
        const peer = await fixture.createPeerBus();
        const here = await collect(bus, `${base}/jobs`, { shareGroup: 'pool' });
        const there = await collect(peer, `${base}/jobs`, { shareGroup: 'pool' });
        const payloads = numbered(100);
        await Promise.all(payloads.map((p) => fixture.publishExternally(`${base}/jobs`, p, { qos: 1 })));
        await waitUntil(
          () => here.messages.length + there.messages.length >= 100,
          'every message shared out',
        );
        await sleep(100);
        expect(here.messages.length).toBeGreaterThan(0);
        expect(there.messages.length).toBeGreaterThan(0);
        expect([...here.payloads(), ...there.payloads()].sort()).toEqual([...payloads].sort());
      });
    } else {
      it(`shareGroup across two buses: not applicable (${sharing.notApplicable}); each bus gets every message`, async () => {
        const peer = await fixture.createPeerBus();
        const here = await collect(bus, `${base}/jobs`, { shareGroup: 'pool' });
        const there = await collect(peer, `${base}/jobs`, { shareGroup: 'pool' });
        const payloads = numbered(20);
        for (const p of payloads) await fixture.publishExternally(`${base}/jobs`, p, { qos: 1 });
        await here.waitFor(20);
        await there.waitFor(20);
        expect(here.payloads()).toEqual(payloads);
        expect(there.payloads()).toEqual(payloads);
      });
    }

    it('refuses wildcards in a topic, malformed filters, $share/ prefixes and bad group names', async () => {
      await expect(bus.publish(`${base}/+`, 'x')).rejects.toThrow(TypeError);
      await expect(bus.subscribe(`${base}/#/x`, () => undefined)).rejects.toThrow(TypeError);
      await expect(bus.subscribe(`${base}/a+`, () => undefined)).rejects.toThrow(TypeError);
      await expect(bus.subscribe(`$share/g/${base}`, () => undefined)).rejects.toThrow(/shareGroup/);
      await expect(bus.subscribe(base, () => undefined, { shareGroup: 'a/b' })).rejects.toThrow(TypeError);
    });

    it('close() waits for the handler in progress, leaves no handle open, and refuses further use', async () => {
      // The fixture's external publisher connects once, before the count.
      await fixture.publishExternally(`${base}/warm-up`, '');
      const before = activeResources();
      const peer = await fixture.createPeerBus();
      let finished = false;
      const started: BusMessage[] = [];
      await peer.subscribe(`${base}/c`, async (message) => {
        started.push(message);
        await sleep(100);
        finished = true;
      });
      await fixture.publishExternally(`${base}/c`, 'x', { qos: 1 });
      await waitUntil(() => started.length === 1, 'the handler to start');
      await peer.close();
      expect(finished).toBe(true);
      await peer.close(); // twice is fine
      // Sockets finish closing on a later turn of the event loop: wait for them, however busy the machine.
      await waitUntil(() => leftOpen(before, activeResources()).length === 0, 'every handle closed');
      expect(leftOpen(before, activeResources())).toEqual([]);
      await expect(peer.publish(`${base}/c`, 'late')).rejects.toMatchObject({ code: 'BUSBAR_BUS_CLOSED' });
      await expect(peer.subscribe(`${base}/c`, () => undefined)).rejects.toBeInstanceOf(BusbarError);
    });
  });
}

/** Node's handles and requests that keep the process alive (sockets, timers), by type. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

function leftOpen(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after]
    .filter(([type, count]) => count > (before.get(type) ?? 0))
    .map(([type, count]) => `${type}×${count}`);
}
