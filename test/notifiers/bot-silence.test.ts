/**
 * SILENCE and UNSILENCE from a chat: against the real alarms component (the silence published
 * retained, listed by ALARMS, ended by UNSILENCE), and against a minimal responder on
 * busbar/control/silences to check the request itself; with nobody answering, the chat is told so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silenceFromRequest, silenceRequestSchema } from '../../alarms/silence.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { startBotHarness, type BotHarness } from './bot-harness.js';

let harness: BotHarness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Retained silences as an MQTT client sees them: id → JSON, emptied ones removed. */
async function watchSilences(h: BotHarness): Promise<Map<string, Record<string, unknown>>> {
  const seen = new Map<string, Record<string, unknown>>();
  h.client.on('message', (topic, payload) => {
    if (!topic.startsWith('busbar/silences/')) return;
    const id = topic.slice('busbar/silences/'.length);
    if (payload.length === 0) seen.delete(id);
    else seen.set(id, JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  await h.client.subscribeAsync('busbar/silences/+', { qos: 1 });
  return seen;
}

describe('SILENCE and UNSILENCE with the alarms component', () => {
  it('silences an alarm by a loosely typed rule name, lists it, and ends it', async () => {
    harness = await startBotHarness({
      alarms: {
        rules: [
          { kind: 'threshold', name: 'disk_used', measurement: 'disk', field: 'used_percent', above: 90 },
        ],
      },
    });
    const silences = await watchSilences(harness);
    await harness.publish('web1', 'disk', 'disk,host=web1,path=/ used_percent=97');
    await harness.alarm('disk_used', 'firing');

    expect((await harness.ask('SILENCE dsk_used 1h')).params.text).toContain(
      'Did you mean: <code>disk_used</code>',
    );
    expect((await harness.ask('SILENCE disk_used soon')).params.text).toContain('is not a duration');
    expect((await harness.ask('SILENCE disk_used')).params.text).toContain('Usage: <code>SILENCE');
    expect(silences.size).toBe(0);

    const reply = (await harness.ask('/silence DISK_USED 2h')).params.text!;
    expect(reply).toMatch(
      /^🔕 Silenced <code>disk_used<\/code> until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(<code>(s-[\w-]+)<\/code>\); 1 firing alarm match\.$/,
    );
    const id = /<code>(s-[\w-]+)<\/code>/.exec(reply)![1]!;
    await waitFor(() => silences.has(id), 'the retained silence');
    const silence = silences.get(id)!;
    expect(silence.matchers).toEqual({ alarm: 'disk_used' });
    expect(silence.createdBy).toBe('telegram:ann');
    const hours = (Date.parse(String(silence.endsAt)) - Date.parse(String(silence.createdAt))) / 3_600_000;
    expect(hours).toBeCloseTo(2, 5);

    expect((await harness.ask('ALARMS')).params.text).toContain(
      `<b>1 silenced</b>\n🔕 <code>disk_used</code> until`,
    );
    expect((await harness.ask('UNSILENCE')).params.text).toContain(`(<code>${id}</code>)`);
    expect((await harness.ask('UNSILENCE disk_usd')).params.text).toContain(
      'No silence matches <code>disk_usd</code>. Did you mean: <code>disk_used</code>',
    );
    expect((await harness.ask('UNSILENCE disk_used')).params.text).toBe(`🔔 Ended <code>${id}</code>.`);
    await waitFor(() => !silences.has(id), 'the silence cleared');
    expect((await harness.ask('UNSILENCE')).params.text).toBe('No silence is in force.');
  });
});

describe('SILENCE requests', () => {
  it('asks on busbar/control/silences with the alarm matcher, the duration and who asked', async () => {
    harness = await startBotHarness({ alarms: { enabled: false } });
    const requests: Record<string, unknown>[] = [];
    const client = harness.client;
    client.on('message', (topic, payload) => {
      if (topic !== 'busbar/control/silences') return;
      const request = silenceRequestSchema.parse(JSON.parse(payload.toString()));
      requests.push(request);
      // The alarms component's answer, as small as it gets, from inside busbar as the component's
      // would be: busbar/silences/... is busbar's own, refused from an MQTT client.
      const bus = harness!.busbar.running.bus;
      const answer = `busbar/silences/${request.id}`;
      if (request.action === 'add') {
        void bus.publish(answer, JSON.stringify(silenceFromRequest(request, Date.now())), {
          retain: true,
          qos: 1,
        });
      } else void bus.publish(answer, '', { retain: true, qos: 1 });
    });
    await client.subscribeAsync('busbar/control/silences', { qos: 1 });
    await client.publishAsync('busbar/status/web1', 'online', { retain: true, qos: 1 });

    expect((await harness.ask('SILENCE wbe1 30m')).params.text).toContain('Did you mean: <code>web1</code>');
    const reply = (await harness.ask('SILENCE web1 30m')).params.text!;
    expect(reply).toContain('🔕 Silenced <code>web1</code>');
    expect(reply).toContain('0 firing alarms match');
    expect(requests).toEqual([
      expect.objectContaining({
        action: 'add',
        matchers: { alarm: 'web1' },
        duration: '30m',
        createdBy: 'telegram:ann',
        comment: 'from Telegram chat 1001',
      }),
    ]);
    expect((await harness.ask('SILENCE web* 1h')).params.text).toContain('🔕 Silenced <code>web*</code>');
    expect(requests[1]).toMatchObject({ matchers: { alarm: 'web*' }, duration: '1h' });
  });

  it('tells the chat when nothing answers the request', async () => {
    harness = await startBotHarness({ alarms: { enabled: false } });
    await harness.client.publishAsync('busbar/status/web1', 'online', { retain: true, qos: 1 });
    const reply = await harness.ask('SILENCE web1 1h');
    expect(reply.params.text).toContain('⚠️ no answer on busbar/silences/');
    expect(reply.params.text).toContain('is the alarms component running');
  }, 20_000);
});
