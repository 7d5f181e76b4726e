/**
 * Slack, Mattermost, Discord, Microsoft Teams and Matrix through busbar's notifier path, each
 * against a local server that checks the request as the service documents it (http-contracts.ts),
 * for a firing and a resolved alarm. Chats have no resolution of their own: it is a message saying
 * so. Values are escaped for each one's markup; hook URLs (they hold the token) stay out of the log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { discordContract, incomingWebhookContract, matrixContract, teamsContract } from './http-contracts.js';
import { jsonBody, startReceiver, type Receiver } from './http-receiver.js';
import { fireAndResolve, SUMMARY, startPresetBusbar, type PresetBusbar } from './preset-harness.js';

let harness: PresetBusbar | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await harness?.stop();
  await receiver?.close();
  harness = receiver = undefined;
});

/** The alarm's line as Markdown shows it: `\`-escaped where it would be markup. */
const MARKDOWN_LINE = `[FIRING] ${SUMMARY}`.replace(/[\\`*_~[\]()<>|#]/g, (c) => `\\${c}`);

/** The alarm's line as Slack shows it: only `&`, `<` and `>` are escaped, as entities. */
const SLACK_LINE = `[FIRING] ${SUMMARY}`.replace(
  /[&<>]/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!,
);

describe('chat presets', () => {
  it('Slack: an incoming webhook gets `text` with the title in bold, `&`, `<` and `>` escaped', async () => {
    const path = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
    receiver = await startReceiver(incomingWebhookContract(path));
    harness = await startPresetBusbar({ slack: { ops: { url: `${receiver.url}${path}` } } }, ['slack:ops']);
    await fireAndResolve(harness, receiver);
    expect(receiver.refused).toEqual([]);
    const [firing, resolved] = receiver.accepted.map(jsonBody);
    expect(firing).toEqual({ text: `*1 firing: disk used on web1*\n${SLACK_LINE}` });
    expect(SLACK_LINE).toContain('&lt;ssd&gt; &amp; *fast*');
    expect(resolved?.text).toMatch(/^\*1 resolved: disk used on web1\*\n\[RESOLVED\] /);
    expect(harness.busbar.log.text()).not.toContain('XXXXXXXXXXXXXXXXXXXXXXXX');
  });

  it('Mattermost: `text` in Markdown with values escaped, to the chosen channel', async () => {
    const path = '/hooks/xi5fmxc9fjbbbcjt8sug1rn1oa';
    receiver = await startReceiver(incomingWebhookContract(path));
    harness = await startPresetBusbar(
      { mattermost: { ops: { url: `${receiver.url}${path}`, channel: 'alerts', username: 'busbar' } } },
      ['mattermost:ops'],
    );
    await fireAndResolve(harness, receiver);
    expect(receiver.refused).toEqual([]);
    const [firing, resolved] = receiver.accepted.map(jsonBody);
    expect(firing).toEqual({
      text: `#### 1 firing: disk used on web1\n${MARKDOWN_LINE}`,
      channel: 'alerts',
      username: 'busbar',
    });
    expect(resolved?.text).toMatch(/^#### 1 resolved: disk used on web1\n\\\[RESOLVED\\\] /);
  });

  it('Discord: an embed coloured by severity, no mentions allowed', async () => {
    const [id, token] = [
      '1234567890123456789',
      'aBcDeFgHiJkLmNoPqRsTuVwXyZ-0123456789_abcdefghijklmnopqrstuvwxyzABCD',
    ];
    receiver = await startReceiver(discordContract(id, token));
    harness = await startPresetBusbar(
      { discord: { ops: { url: `${receiver.url}/api/webhooks/${id}/${token}` } } },
      ['discord:ops'],
    );
    await fireAndResolve(harness, receiver, 'warning');
    expect(receiver.refused).toEqual([]);
    const [firing, resolved] = receiver.accepted.map(jsonBody);
    expect(firing).toEqual({
      embeds: [{ title: '1 firing: disk used on web1', description: MARKDOWN_LINE, color: 0xf0a020 }],
      allowed_mentions: { parse: [] },
    });
    expect(resolved).toMatchObject({ embeds: [{ title: '1 resolved: disk used on web1', color: 0x2ecc71 }] });
    expect(harness.busbar.log.text()).not.toContain(token);
  });

  it('Teams: an Adaptive Card through a Workflows webhook', async () => {
    const path = '/workflows/a1b2c3/triggers/manual/paths/invoke';
    receiver = await startReceiver(teamsContract(path));
    harness = await startPresetBusbar(
      { teams: { ops: { url: `${receiver.url}${path}?api-version=1&sig=Zm9vYmFyYmF6cXV4cXV1eA` } } },
      ['teams:ops'],
    );
    await fireAndResolve(harness, receiver);
    expect(receiver.refused).toEqual([]);
    expect(receiver.accepted[0]!.query.get('sig')).toBe('Zm9vYmFyYmF6cXV4cXV1eA');
    const card = (body: Record<string, unknown> | undefined): unknown =>
      (body?.attachments as { content: { body: unknown } }[])[0]!.content.body;
    const [firing, resolved] = receiver.accepted.map(jsonBody);
    expect(card(firing)).toEqual([
      {
        type: 'TextBlock',
        text: '1 firing: disk used on web1',
        weight: 'Bolder',
        size: 'Medium',
        wrap: true,
        color: 'Attention',
      },
      { type: 'TextBlock', text: `[FIRING] ${SUMMARY}`, wrap: true },
    ]);
    expect(card(resolved)).toMatchObject([{ text: '1 resolved: disk used on web1', color: 'Good' }, {}]);
    expect(harness.busbar.log.text()).not.toContain('Zm9vYmFyYmF6cXV4cXV1eA');
  });

  it('Matrix: m.room.message as a notice, PUT with the notification id as transaction id', async () => {
    const [room, token] = ['!ZmXxAbCdEf:example.org', 'syt_YnVzYmFy_aBcDeFgHiJkLmNoPqRsT_0a1b2c'];
    const contract = matrixContract(room, token);
    receiver = await startReceiver(contract);
    harness = await startPresetBusbar({ matrix: { ops: { url: receiver.url, room, token } } }, [
      'matrix:ops',
    ]);
    await fireAndResolve(harness, receiver);
    expect(receiver.refused).toEqual([]);
    expect([...contract.events.values()]).toEqual([
      { msgtype: 'm.notice', body: `1 firing: disk used on web1\n[FIRING] ${SUMMARY}` },
      { msgtype: 'm.notice', body: expect.stringMatching(/^1 resolved: disk used on web1\n\[RESOLVED\] /) },
    ]);
    // Each notification its own transaction.
    expect(new Set(receiver.accepted.map((request) => request.path)).size).toBe(2);
    expect(harness.busbar.log.text()).not.toContain(token);
  });
});
