/**
 * Acknowledgement from Telegram through a real busbar and the local fake Bot API: the Ack button
 * under a grouped alarm message and the ACK command each acknowledge (by the Telegram user), the ack
 * is published retained on busbar/acks/..., the alarm's repeats stop, and STATUS and ALARMS show who
 * took it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RepeatWatch } from '../helpers/repeat-watch.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { buttons, startBotHarness, tap, type BotHarness } from './bot-harness.js';

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Retained acknowledgements as a new subscriber sees them: topic → JSON. */
function followAcks(h: BotHarness): Map<string, Record<string, unknown>> {
  const acks = new Map<string, Record<string, unknown>>();
  h.client.on('message', (topic, payload) => {
    if (!topic.startsWith('busbar/acks/')) return;
    if (payload.length === 0) acks.delete(topic);
    else acks.set(topic, JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  return acks;
}

describe('ACK from Telegram', () => {
  it('the Ack button and the ACK command acknowledge, stop repeats and show in STATUS', async () => {
    harness = await startBotHarness({
      alarms: {
        evaluateInterval: '50ms',
        rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'celsius', above: 50 }],
        notify: { groupBy: ['...'], groupWait: '0s', groupInterval: '100ms', repeatInterval: '400ms' },
      },
      routes: [
        {
          name: 'groups',
          topic: 'busbar/notify/#',
          title: 'busbar',
          message: '{payload.summary}',
          targets: ['telegram:ops'],
        },
      ],
    });
    const acks = followAcks(harness);
    await harness.client.subscribeAsync('busbar/acks/#', { qos: 1 });
    const watch = await RepeatWatch.start(harness.busbar.running.bus);
    await harness.publish('rack1', 'temp', 'temp celsius=61');
    await harness.publish('rack2', 'temp', 'temp celsius=62');
    await watch.waitForRepeat();

    // The button, under rack1's message.
    const message = await harness.api.waitForCall(
      (call) => call.method === 'sendMessage' && (call.params.text ?? '').includes('rack1'),
      "rack1's message",
    );
    expect(buttons(message).map((button) => button.text)).toEqual(['Silence 1 h', 'Ack', 'Graph']);
    expect((await tap(harness, message, 'Ack')).params.text).toBe('Acknowledged');
    await waitFor(() => acks.size === 1, 'the acknowledgement on the bus');
    expect([...acks.values()][0]).toMatchObject({ rule: 'hot', by: 'telegram:ann', comment: '' });

    // The command, for rack2, with a comment. rack2's repeats may reach the chat before the reply.
    const asked = harness.api.calls.length;
    await harness.ask('ACK rack2 swapping the fan');
    await harness.api.waitForCall(
      (call) =>
        harness!.api.calls.indexOf(call) >= asked &&
        call.method === 'sendMessage' &&
        (call.params.text ?? '').includes('acknowledged by ann'),
      'the reply to ACK',
    );
    const mark = watch.mark(); // both acknowledgements are in force once answered
    await waitFor(() => acks.size === 2, 'both acknowledgements on the bus');
    expect([...acks.values()].find((ack) => String(ack.series).startsWith('rack2'))).toMatchObject({
      by: 'telegram:ann',
      comment: 'swapping the fan',
    });
    expect(await watch.repeatsWhileAcknowledged(mark)).toBe(0);

    const status = await harness.ask('STATUS');
    expect(status.params.text).toContain('2 alarms firing (2 acknowledged)');
    const alarms = await harness.ask('ALARMS');
    expect(alarms.params.text).toMatch(/✋ telegram:ann (now|\S+ ago): swapping the fan/);
    expect((await harness.ask('ACK nothing-here')).params.text).toContain('No firing alarm matches');
  }, 90_000);
});
