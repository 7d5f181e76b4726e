/**
 * PagerDuty and Opsgenie through busbar's notifier path against local servers that keep incidents
 * as the services do (http-contracts.ts): the firing opens one under the alarm group's key and the
 * resolution resolves (PagerDuty) or closes (Opsgenie) that same one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { opsgenieContract, pagerdutyContract } from './http-contracts.js';
import { jsonBody, startReceiver, type Receiver } from './http-receiver.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import {
  fireAndResolve,
  GROUP,
  groupNotification,
  SUMMARY,
  startPresetBusbar,
  type PresetBusbar,
} from './preset-harness.js';

let harness: PresetBusbar | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await harness?.stop();
  await receiver?.close();
  harness = receiver = undefined;
});

describe('incident presets', () => {
  it('PagerDuty: trigger, then resolve with the same dedup_key', async () => {
    const routingKey = 'R0UT1NGK3Y0123456789abcdefABCDEF';
    const contract = pagerdutyContract(routingKey);
    receiver = await startReceiver(contract);
    harness = await startPresetBusbar(
      { pagerduty: { oncall: { routingKey, url: receiver.url, source: '{payload.labels.source}' } } },
      ['pagerduty:oncall'],
    );
    await fireAndResolve(harness, receiver, 'warning');
    expect(receiver.refused).toEqual([]);
    const [trigger, resolve] = receiver.accepted.map(jsonBody);
    expect(trigger).toMatchObject({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: GROUP,
      client: 'busbar',
      payload: { summary: '1 firing: disk used on web1', source: 'web1', severity: 'warning' },
    });
    // The whole notification rides along for the responder.
    expect(
      (trigger?.payload as { custom_details: { alarms: { summary: string }[] } }).custom_details.alarms[0]!
        .summary,
    ).toBe(SUMMARY);
    expect(resolve).toEqual({ routing_key: routingKey, event_action: 'resolve', dedup_key: GROUP });
    expect([...contract.incidents]).toEqual([[GROUP, 'resolved']]);
    expect(harness.busbar.log.text()).not.toContain(routingKey);
  });

  it('Opsgenie: create with alias and priority, then close by that alias', async () => {
    const apiKey = 'eb243592-faa2-4ba2-a551q-1afdf565c889';
    const contract = opsgenieContract(apiKey);
    receiver = await startReceiver(contract);
    harness = await startPresetBusbar({ opsgenie: { oncall: { apiKey, url: receiver.url } } }, [
      'opsgenie:oncall',
    ]);
    await fireAndResolve(harness, receiver);
    expect(receiver.refused).toEqual([]);
    const [create, close] = receiver.accepted;
    expect(create!.path).toBe('/v2/alerts');
    expect(jsonBody(create!)).toEqual({
      message: '1 firing: disk used on web1',
      alias: GROUP,
      description: `[FIRING] ${SUMMARY}`,
      priority: 'P1',
      source: 'busbar',
      tags: ['critical'],
    });
    expect(close!.path).toBe(`/v2/alerts/${encodeURIComponent(GROUP)}/close`);
    expect(close!.query.get('identifierType')).toBe('alias');
    expect(jsonBody(close!)).toMatchObject({
      source: 'busbar',
      note: expect.stringMatching(/^\[RESOLVED\] /),
    });
    expect([...contract.alerts]).toEqual([[GROUP, 'closed']]);
    expect(harness.busbar.log.text()).not.toContain(apiKey);
  });

  it('on a route of alarm states (busbar/alarms/#) the dedup_key is the rule and series', async () => {
    const routingKey = 'R0UT1NGK3Y0123456789abcdefABCDEF';
    const contract = pagerdutyContract(routingKey);
    receiver = await startReceiver(contract);
    harness = await startPresetBusbar(
      { pagerduty: { oncall: { routingKey, url: receiver.url } } },
      ['pagerduty:oncall'],
      {
        routes: [
          {
            name: 'states',
            topic: 'busbar/alarms/#',
            title: '{payload.summary}',
            targets: ['pagerduty:oncall'],
          },
        ],
      },
    );
    for (const status of ['firing', 'resolved'] as const) {
      const [alarm] = groupNotification(status, 'info').alarms;
      await harness.busbar.running.bus.publish('busbar/alarms/disk_used/web1', JSON.stringify(alarm), {
        qos: 1,
      });
      await waitFor(() => receiver!.received.length === (status === 'firing' ? 1 : 2), `the ${status} event`);
    }
    expect(receiver.refused).toEqual([]);
    const key = 'disk_used/web1.disk.used_percent{path=/data}';
    expect(contract.incidents.get(key)).toBe('resolved');
    expect(receiver.accepted.map(jsonBody).map((body) => [body?.event_action, body?.dedup_key])).toEqual([
      ['trigger', key],
      ['resolve', key],
    ]);
    expect(jsonBody(receiver.accepted[0]!)).toMatchObject({
      payload: { severity: 'info', source: 'busbar' },
    });
  });
});
