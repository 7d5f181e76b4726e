/**
 * A receiver's refusal through the router's retry and dead-letter path: a 5xx (or 429) is retried
 * until the receiver takes the notification, a 4xx is a refusal that is dead at once when there is
 * nowhere else to go, and a receiver down for longer than maxAge makes the notification dead. Each
 * error names the HTTP status and the receiver's own words, with the target's secrets masked (a
 * receiver may echo them).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/mqtt-clients.js';
import { freePort } from '../helpers/ports.js';
import { gotifyContract, pagerdutyContract } from './http-contracts.js';
import { startReceiver, type Receiver } from './http-receiver.js';
import { groupNotification, startPresetBusbar, type PresetBusbar } from './preset-harness.js';

let harness: PresetBusbar | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await harness?.stop();
  await receiver?.close();
  harness = receiver = undefined;
});

const ROUTING_KEY = 'R0UT1NGK3Y0123456789abcdefABCDEF';

interface DeadLetter {
  readonly reason: string;
  readonly targets: string[];
}

/** Dead letters published on busbar/deadletter/notification, recorded in-process. */
async function deadLetters(harness: PresetBusbar): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await harness.busbar.running.bus.subscribe('busbar/deadletter/notification', (message) => {
    letters.push(JSON.parse(message.payload.toString()) as DeadLetter);
  });
  return letters;
}

describe('a receiver that refuses', () => {
  it('is retried through 5xx and 429 answers until it takes the notification', async () => {
    receiver = await startReceiver(pagerdutyContract(ROUTING_KEY));
    harness = await startPresetBusbar(
      { pagerduty: { oncall: { routingKey: ROUTING_KEY, url: receiver.url } } },
      ['pagerduty:oncall'],
    );
    receiver.answerNext(
      { status: 503, body: `upstream down while handling routing_key ${ROUTING_KEY}` },
      {
        status: 429,
        body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly' },
      },
    );
    await harness.notify(groupNotification('firing'));
    await waitFor(() => receiver!.accepted.length === 1, 'the event after the refusals');
    expect(receiver.received).toHaveLength(3);
    const errors = harness.busbar.log.find('notification retry').map((line) => String(line.err));
    expect(errors).toEqual([
      'pagerduty:oncall answered HTTP 503 Service Unavailable: upstream down while handling routing_key ***',
      'pagerduty:oncall answered HTTP 429 Too Many Requests: {"status":"throttle event","message":"Requests for this service are arriving too quickly"}',
    ]);
    expect(harness.busbar.log.text()).not.toContain(ROUTING_KEY);
  });

  it('a 4xx is dead at once, dead-lettered with the status and the answer', async () => {
    receiver = await startReceiver(gotifyContract('the-right-token'));
    harness = await startPresetBusbar({ gotify: { home: { url: receiver.url, token: 'AzOmWrQ4vBvCn4s' } } }, [
      'gotify:home',
    ]);
    const letters = await deadLetters(harness);
    await harness.notify(groupNotification('firing'));
    await waitFor(() => letters.length === 1, 'the dead letter');
    expect(receiver.received).toHaveLength(1);
    expect(letters[0]!.targets).toEqual(['gotify:home']);
    expect(letters[0]!.reason).toContain(
      'gotify:home answered HTTP 401 Unauthorized: {"error":"Unauthorized","errorCode":401,',
    );
    expect(harness.busbar.log.find('notification refused')).toHaveLength(1);
    expect(harness.busbar.log.text()).not.toContain('AzOmWrQ4vBvCn4s');
  });

  it('a receiver down for longer than maxAge makes the notification dead', async () => {
    receiver = await startReceiver(() => ({
      status: 502,
      body: '<html><body>502 Bad Gateway</body></html>',
    }));
    harness = await startPresetBusbar(
      { http: { hook: { url: `${receiver.url}/hook`, body: { text: '{title}' } } } },
      ['http:hook'],
      { delivery: { retryInitial: '20ms', retryMax: '100ms', maxAge: '1s' } },
    );
    const letters = await deadLetters(harness);
    await harness.notify(groupNotification('firing'));
    await waitFor(() => letters.length === 1, 'the dead letter', 15_000);
    expect(receiver.received.length).toBeGreaterThan(1);
    expect(letters[0]!.reason).toContain('maxAge');
    expect(harness.busbar.log.find('notification retry')[0]?.err).toBe(
      'http:hook answered HTTP 502 Bad Gateway: <html><body>502 Bad Gateway</body></html>',
    );
  });

  it('an unreachable receiver is retried, its error the reason without the URL', async () => {
    const port = await freePort();
    const token = 'T0KEN-IN-THE-PATH-4f9a8b7c';
    harness = await startPresetBusbar(
      { slack: { ops: { url: `http://127.0.0.1:${port}/services/T0/B0/${token}` } } },
      ['slack:ops'],
    );
    await harness.notify(groupNotification('firing'));
    await waitFor(() => harness!.busbar.log.find('notification retry').length >= 2, 'two retries');
    expect(harness.busbar.log.find('notification retry')[0]?.err).toBe(
      `slack:ops could not be reached: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(harness.busbar.log.text()).not.toContain(token);
  });
});
