import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createLocalBus } from '../../core/bus/bus-local.js';
import { startBareAedes, type BareAedes } from '../helpers/bare-aedes.js';
import { captureLog } from '../helpers/log-capture.js';
import { connectRaw, floodQos0 } from '../helpers/raw-flood.js';
import { describeBusContract } from './bus-contract.js';
import { waitUntil } from './external-client.js';
import { localBusTarget } from './local-target.js';

let broker: BareAedes;
beforeAll(async () => {
  broker = await startBareAedes();
});
afterAll(async () => {
  await broker.close();
});

describeBusContract(
  'local bus over a bare Aedes (in-process, MQTT clients over TCP)',
  localBusTarget(() => broker),
);

describe('local bus: backpressure without deadlock', () => {
  it('a handler awaiting its own publishes survives a publish storm that fills Aedes’ emitter', async () => {
    // Aedes delivers at most 100 messages at once (mqemitter concurrency); more wait behind them. A
    // queue holding 100 publishers would leave no room for its own handler's publish: a deadlock.
    const bus = createLocalBus(broker.aedes, { log: captureLog('warn').logger });
    const outputs: string[] = [];
    await bus.subscribe('storm/out', (message) => void outputs.push(message.payload.toString()));
    let handled = 0;
    await bus.subscribe(
      'storm/in',
      async (message) => {
        handled += 1;
        await bus.publish('storm/out', message.payload, { qos: 1 });
      },
      { queueSize: 2 },
    );
    const payloads = Array.from({ length: 500 }, (_, i) => String(i));
    await Promise.all(payloads.map((p) => bus.publish('storm/in', p, { qos: 1 })));
    await waitUntil(() => outputs.length === 500, '500 outputs', 20_000);
    expect(handled).toBe(500);
    expect(outputs).toEqual(payloads);
    await bus.close();
  });

  it('a full queue slows the publisher instead of growing or dropping', async () => {
    const bus = createLocalBus(broker.aedes, { log: captureLog('warn').logger });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    onTestFinished(release); // a handler left in the gate would hold up closing the bus
    const subscription = await bus.subscribe('held/in', () => gate, { queueSize: 3 });
    let published = 0;
    const publishing = Array.from({ length: 10 }, (_, i) =>
      bus.publish('held/in', String(i), { qos: 1 }).then(() => void (published += 1)),
    );
    await waitUntil(() => published === 4, 'one message in the handler and three queued');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The other publishers wait: neither grown past queueSize nor dropped.
    expect(published).toBe(4);
    expect(subscription.queued).toBe(3);
    release();
    await Promise.all(publishing);
    expect(subscription.dropped).toBe(0);
    await bus.close();
  });

  it('a flood of QoS 0 publishes into a handler that awaits its own publishes arrives whole and in order', async () => {
    // One socket read of small QoS 0 publishes is thousands of messages, all published at once; past
    // Aedes' 100 deliveries in flight the emitter queues the rest. A handler awaiting a publish opens
    // its queue to everything (see DeliveryQueue#beginPublish), so the queued messages are then taken
    // one after another at once: with the emitter starting each from inside the last one's completion,
    // that overflowed the stack and lost the rest (patches/mqemitter+*.patch).
    const bus = createLocalBus(broker.aedes, { log: captureLog('warn').logger });
    const outputs: string[] = [];
    await bus.subscribe('flood/out', (message) => void outputs.push(message.payload.toString()), {
      queueSize: 100_000,
    });
    await bus.subscribe(
      'flood/in/+',
      async (message) => {
        await bus.publish('flood/out', message.payload, { qos: 0 });
      },
      { queueSize: 2 },
    );
    const socket = await connectRaw(broker.port, 'flood');
    onTestFinished(() => void socket.destroy());
    const count = 30_000;
    const payloads = Array.from({ length: count }, (_, i) => String(i));
    floodQos0(
      socket,
      payloads.map((payload, i) => ({ topic: `flood/in/h${i % 10}`, payload })),
    );
    await waitUntil(() => outputs.length === count, `${count} outputs`, 30_000);
    expect(outputs).toEqual(payloads);
    await bus.close();
  });
});
