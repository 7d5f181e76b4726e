import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createLocalBus } from '../../core/bus/bus-local.js';
import { startBareAedes, type BareAedes } from '../helpers/bare-aedes.js';
import { captureLog } from '../helpers/log-capture.js';
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
});
