/**
 * Who the bot answers: the allow-list (chats and users), a one-line refusal for everyone else (logged),
 * and pairing with the one-time code busbar logs at start: a wrong code refused, a used code not
 * reusable, the paired chat kept across a restart; a damaged paired-chats file stops nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PairingCodes, MAX_WRONG_GUESSES, type PairingCode } from '../../notifiers/bot/pairing.js';
import { FakeBotApi, type FakeChat, type FakeUser } from '../helpers/fake-bot-api.js';
import { waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';
import { OPS_CHAT, STRANGER, STRANGER_CHAT, startBotHarness, TOKEN, type BotHarness } from './bot-harness.js';

let harness: BotHarness | undefined;
let api: FakeBotApi | undefined;
const dirs: { remove(): Promise<void> }[] = [];

afterEach(async () => {
  await harness?.stop();
  await api?.close();
  await Promise.all(dirs.splice(0).map((dir) => dir.remove()));
  harness = api = undefined;
});

/** The codes busbar logged, oldest first, as a person reads them off the log. */
function loggedCodes(h: BotHarness): string[] {
  return h.busbar.log
    .find('telegram pairing code')
    .map((line) => /pairing code ([A-Z0-9]+):/.exec(String(line.msg))?.[1] ?? '');
}

describe('allow-list', () => {
  it('refuses a chat not on the list in one line, logs it, and answers nothing else', async () => {
    harness = await startBotHarness();
    const refusal = await harness.ask('STATUS', STRANGER_CHAT, STRANGER);
    expect(refusal.params.text).toBe(`This chat (id ${STRANGER_CHAT.id}) may not use busbar.`);
    const logged = harness.busbar.log.find('refused a chat that is not allowed');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      chat: STRANGER_CHAT.id,
      user: STRANGER.id,
      username: 'mallory',
      level: 40,
    });
    // In a group not on the list, chatter is ignored; a command is refused.
    const group: FakeChat = { id: -4040, type: 'group' };
    harness.api.userMessage(group, STRANGER, 'lunch anyone?');
    expect((await harness.ask('/status', group, STRANGER)).params.text).toBe(
      `This chat (id ${group.id}) may not use busbar.`,
    );
    expect(harness.api.calls.filter((call) => call.params.chat_id === String(group.id))).toHaveLength(1);
    expect(harness.busbar.log.find('refused a chat that is not allowed')).toHaveLength(2);
    // The allowed chat is answered; the stranger got nothing but the refusal.
    expect((await harness.ask('HELP')).params.text).toContain('STATUS');
    expect(harness.api.calls.filter((call) => call.params.chat_id === String(STRANGER_CHAT.id))).toHaveLength(
      1,
    );
  });

  it('answers an allowed user in any chat, and refuses a stranger button tap', async () => {
    const ally: FakeUser = { id: 4242, username: 'bob' };
    const groupChat: FakeChat = { id: -100200, type: 'group' };
    harness = await startBotHarness({ bot: { allow: { chats: [OPS_CHAT.id], users: [ally.id] } } });
    expect((await harness.ask('/help@busbar_test_bot', groupChat, ally)).params.text).toContain('GRAPH');
    const before = harness.api.calls.length;
    harness.api.pressButton(STRANGER_CHAT, STRANGER, 'bb:s:aAAAAAAAAAAAAAAAA');
    const answer = await harness.api.waitForCall(
      (call) => harness!.api.calls.indexOf(call) >= before && call.method === 'answerCallbackQuery',
      'the refusal of the tap',
    );
    expect(answer.params.text).toBe('This chat may not use busbar.');
    expect(harness.api.calls.slice(before).some((call) => call.method === 'sendMessage')).toBe(false);
  });
});

describe('pairing', () => {
  it('adds a chat with the logged code once; a wrong or used code is refused; it survives a restart', async () => {
    const state = await tempDir('telegram-state');
    dirs.push(state);
    const statePath = `${state.path}/telegram.json`;
    api = await FakeBotApi.start({ token: TOKEN });
    harness = await startBotHarness({ api, statePath });
    const [code] = loggedCodes(harness);
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    const start = harness.busbar.log.find('telegram pairing code')[0]!;
    expect(start.level).toBe(30);
    expect(Date.parse(String(start.expiresAt)) - Date.now()).toBeGreaterThan(59 * 60_000);

    // A wrong code: refused, logged, and the chat still may not ask.
    expect((await harness.ask('/start ABCDEFGH', STRANGER_CHAT, STRANGER)).params.text).toBe(
      'That pairing code is not valid.',
    );
    expect(harness.busbar.log.find('pairing refused')).toHaveLength(1);
    expect((await harness.ask('STATUS', STRANGER_CHAT, STRANGER)).params.text).toContain(
      'may not use busbar',
    );

    // The right one (typed in lower case): paired, answered from now on.
    const newcomer: FakeChat = { id: 7777 };
    const paired = await harness.ask(`/start ${code!.toLowerCase()}`, newcomer, {
      id: 77,
      username: 'carol',
    });
    expect(paired.params.text).toContain('Paired');
    expect((await harness.ask('ALARMS', newcomer, { id: 77 })).params.text).toContain('No alarm is firing');
    expect(harness.busbar.log.find('telegram chat paired')[0]).toMatchObject({ chat: 7777, user: 77 });

    // Used up: the same code does not pair another chat; a new code was logged for the next one.
    expect((await harness.ask(`/start ${code!}`, STRANGER_CHAT, STRANGER)).params.text).toBe(
      'That pairing code is not valid.',
    );
    expect((await harness.ask('STATUS', STRANGER_CHAT, STRANGER)).params.text).toContain(
      'may not use busbar',
    );
    const codes = loggedCodes(harness);
    expect(codes).toHaveLength(2);
    expect(codes[1]).not.toBe(code);

    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as {
      chats: { id: number; username?: string }[];
    };
    expect(saved.chats).toEqual([expect.objectContaining({ id: 7777, user: 77, username: 'carol' })]);

    // Restarted on the same file: the paired chat is still answered, with a fresh code in the log.
    await harness.stop();
    harness = await startBotHarness({ api, statePath });
    expect((await harness.ask('ALARMS', newcomer, { id: 77 })).params.text).toContain('No alarm is firing');
    expect(loggedCodes(harness)).toHaveLength(1);
    expect(loggedCodes(harness)[0]).not.toBe(code);
    expect(harness.busbar.log.text()).not.toContain(TOKEN);
  });

  it('a damaged paired-chats file: the allow-list is answered, the next pairing keeps the file aside', async () => {
    const state = await tempDir('telegram-damaged');
    dirs.push(state);
    const statePath = `${state.path}/telegram.json`;
    const damaged = '{"chats": [{"id": "seven"';
    writeFileSync(statePath, damaged);
    harness = await startBotHarness({ statePath });
    const logged = harness.busbar.log.find('telegram paired chats unreadable');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 50,
      path: statePath,
      reason: expect.stringContaining('not JSON'),
    });
    expect((await harness.ask('ALARMS')).params.text).toContain('No alarm is firing');
    expect((await harness.ask('STATUS', STRANGER_CHAT, STRANGER)).params.text).toContain(
      'may not use busbar',
    );

    const newcomer: FakeChat = { id: 8888 };
    const [code] = loggedCodes(harness);
    expect((await harness.ask(`/start ${code!}`, newcomer, { id: 88 })).params.text).toContain('Paired');
    expect(readFileSync(`${statePath}.damaged`, 'utf8')).toBe(damaged);
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as { chats: { id: number }[] };
    expect(saved.chats.map((chat) => chat.id)).toEqual([8888]);
  });

  it('with pairing off, /start with a code is refused like anything else', async () => {
    harness = await startBotHarness({ bot: { pairing: false } });
    expect(loggedCodes(harness)).toEqual([]);
    const reply = await harness.ask('/start ABCDEFGH', STRANGER_CHAT, STRANGER);
    expect(reply.params.text).toContain('may not use busbar');
  });

  it('expires a code, and replaces one after too many wrong guesses', () => {
    let now = 1_000_000;
    const announced: { code: PairingCode; reason: string }[] = [];
    const codes = new PairingCodes(
      3_600_000,
      (code, reason) => announced.push({ code, reason }),
      () => now,
    );
    const first = codes.start().code;
    now += 3_600_000;
    expect(codes.use(first)).toBe('expired');
    expect(announced.map((entry) => entry.reason)).toEqual(['start', 'expired']);
    const second = codes.code!.code;
    expect(second).not.toBe(first);
    for (let i = 0; i < MAX_WRONG_GUESSES; i++) expect(codes.use('WRONG123')).toBe('wrong');
    expect(announced.at(-1)!.reason).toBe('guessed');
    expect(codes.use(second)).toBe('wrong');
    expect(codes.use(codes.code!.code)).toBe('paired');
    expect(codes.use(announced.at(-2)!.code.code)).toBe('wrong');
  });
});

describe('a bot whose token Telegram refuses', () => {
  it('logs the failure without the token and keeps the notifiers running', async () => {
    api = await FakeBotApi.start({ token: '1:other' });
    const refusing = api;
    harness = await startBotHarness({ api: refusing, waitForPoll: false });
    const log = harness.busbar.log;
    await waitFor(
      () => log.find('telegram bot stopped polling').length > 0,
      'the polling failure logged',
      10_000,
    );
    expect(refusing.calls.filter((call) => call.method === 'getMe').every((call) => !call.authorized)).toBe(
      true,
    );
    expect(refusing.callsOf('getUpdates')).toEqual([]);
    expect(log.find('telegram bot stopped polling')[0]).toMatchObject({
      level: 50,
      err: expect.stringContaining('Unauthorized'),
    });
    expect(log.find('notifiers started')).toHaveLength(1);
    expect(log.find('notifiers stopped')).toHaveLength(0);
    expect(log.text()).not.toContain(TOKEN);
  });
});
