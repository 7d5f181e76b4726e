/**
 * ntfy, Gotify and Pushover through busbar's notifier path: a grouped alarm notification on
 * busbar/notify/... → the route → the preset's request, checked by a local server as the service
 * documents it (http-contracts.ts), for the firing and for the resolution. Severity becomes each
 * service's priority; the resolution is a quieter message of its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gotifyContract, ntfyContract, pushoverContract } from './http-contracts.js';
import { jsonBody, startReceiver, type Receiver } from './http-receiver.js';
import { fireAndResolve, SUMMARY, startPresetBusbar, type PresetBusbar } from './preset-harness.js';

let harness: PresetBusbar | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await harness?.stop();
  await receiver?.close();
  harness = receiver = undefined;
});

describe('push presets', () => {
  it('ntfy: JSON to the server root with topic, title, message, priority and tags', async () => {
    const token = 'tk_7eevizlsiwf9yi4uxsrs83r4352o';
    receiver = await startReceiver(ntfyContract('busbar-ops', token));
    harness = await startPresetBusbar(
      { ntfy: { phone: { url: receiver.url, topic: 'busbar-ops', token } } },
      ['ntfy:phone'],
    );
    await fireAndResolve(harness, receiver);
    expect(receiver.refused).toEqual([]);
    const [firing, resolved] = receiver.accepted.map(jsonBody);
    expect(firing).toEqual({
      topic: 'busbar-ops',
      title: '1 firing: disk used on web1',
      message: `[FIRING] ${SUMMARY}`,
      priority: 5,
      tags: ['critical', 'firing'],
    });
    expect(resolved).toMatchObject({
      title: '1 resolved: disk used on web1',
      priority: 2,
      tags: ['critical', 'resolved'],
    });
    expect(harness.busbar.log.text()).not.toContain(token);
  });

  it('Gotify: POST /message with X-Gotify-Key and an integer priority', async () => {
    const token = 'AzOmWrQ4vBvCn4s';
    receiver = await startReceiver(gotifyContract(token));
    harness = await startPresetBusbar({ gotify: { home: { url: `${receiver.url}/`, token } } }, [
      'gotify:home',
    ]);
    await fireAndResolve(harness, receiver);
    expect(receiver.refused).toEqual([]);
    const [firing, resolved] = receiver.accepted.map(jsonBody);
    expect(firing).toEqual({
      title: '1 firing: disk used on web1',
      message: `[FIRING] ${SUMMARY}`,
      priority: 8,
    });
    expect(resolved).toMatchObject({ title: '1 resolved: disk used on web1', priority: 2 });
  });

  it('Pushover: form fields token, user, title, message and priority', async () => {
    const [token, user] = ['azGDORePK8gMaC0QOYAMyEEuzJnyUi', 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG'];
    receiver = await startReceiver(pushoverContract(token, user));
    harness = await startPresetBusbar({ pushover: { me: { token, user, url: receiver.url } } }, [
      'pushover:me',
    ]);
    // A warning this time: a normal-priority push.
    await fireAndResolve(harness, receiver, 'warning');
    expect(receiver.refused).toEqual([]);
    const [firing, resolved] = receiver.accepted.map((request) =>
      Object.fromEntries(new URLSearchParams(request.text)),
    );
    expect(firing).toEqual({
      token,
      user,
      title: '1 firing: disk used on web1',
      message: `[FIRING] ${SUMMARY}`,
      priority: '0',
    });
    expect(resolved).toMatchObject({ title: '1 resolved: disk used on web1', priority: '-1' });
    expect(harness.busbar.log.text()).not.toContain(token);
    expect(harness.busbar.log.text()).not.toContain(user);
  });
});
