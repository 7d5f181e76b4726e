/**
 * The fake Bot API the Telegram tests and bench:notify rely on, checked with the real client library
 * and raw HTTP: long polling (held until an update or the timeout), offsets confirming updates, one
 * poll at a time, multipart uploads kept byte for byte, Telegram's answers to unknown methods and
 * wrong tokens; every call recorded.
 */
import { randomBytes } from 'node:crypto';
import { Api, InputFile, TelegramApiError } from 'node-telegram-bot-api';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBotApi } from '../helpers/fake-bot-api.js';
import { within } from '../helpers/mqtt-clients.js';

const TOKEN = '42:fake-api-token';

/** The text of a message update (the union type names each kind). */
const textOf = (update: object | undefined): string | undefined =>
  (update as { message?: { text?: string } } | undefined)?.message?.text;
let api: FakeBotApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('fake Bot API', () => {
  it('holds getUpdates until an update arrives, and confirms updates by offset', async () => {
    api = await FakeBotApi.start({ token: TOKEN });
    const client = new Api(TOKEN, { apiRoot: api.url });
    expect((await client.getMe()).username).toBe('busbar_test_bot');
    // A 30 s long poll answered when the update arrives: holding it to the end would outlast `within`.
    const polling = client.getUpdates({ timeout: 30 });
    await api.waitForCall((call) => call.method === 'getUpdates', 'the poll');
    api.userMessage({ id: 1 }, { id: 2 }, 'hello');
    const [first] = await within(polling, 10_000, 'the long poll with an update');
    expect(textOf(first)).toBe('hello');
    api.userMessage({ id: 1 }, { id: 2 }, 'again');
    // Without a new offset the first update comes again; with it, only the new one.
    expect((await client.getUpdates({ timeout: 0 })).map(textOf)).toEqual(['hello', 'again']);
    const next = await client.getUpdates({ offset: first!.update_id + 1, timeout: 0 });
    expect(next.map(textOf)).toEqual(['again']);
    expect(api.pendingUpdates).toBe(1);
    expect(api.callsOf('getUpdates').at(-1)!.params.offset).toBe(String(first!.update_id + 1));
  });

  it('answers an empty list when the long-poll timeout passes, and 409 to a poll that is overtaken', async () => {
    api = await FakeBotApi.start({ token: TOKEN });
    const client = new Api(TOKEN, { apiRoot: api.url, maxRetries: 0 });
    const began = Date.now();
    expect(await client.getUpdates({ timeout: 1 })).toEqual([]);
    expect(Date.now() - began).toBeGreaterThanOrEqual(950);
    const first = client.getUpdates({ timeout: 5 });
    await api.waitForCall(
      (call) => call.method === 'getUpdates' && call.params.timeout === '5',
      'the first poll',
    );
    const second = client.getUpdates({ timeout: 1 });
    await expect(first).rejects.toMatchObject({ errorCode: 409 });
    expect(await second).toEqual([]);
  });

  it('keeps the bytes and file name of a multipart photo, and the other fields', async () => {
    api = await FakeBotApi.start({ token: TOKEN });
    const client = new Api(TOKEN, { apiRoot: api.url });
    const bytes = randomBytes(50_000);
    const sent = await client.sendPhoto({
      chat_id: 77,
      photo: new InputFile(new Uint8Array(bytes), { filename: 'chart.png', contentType: 'image/png' }),
      caption: 'a <b>chart</b>',
      parse_mode: 'HTML',
    });
    expect(sent.chat.id).toBe(77);
    const call = api.callsOf('sendPhoto')[0]!;
    expect(call.contentType).toBe('multipart/form-data');
    expect(call.files.photo).toMatchObject({ filename: 'chart.png', contentType: 'image/png' });
    expect(call.files.photo!.bytes.equals(bytes)).toBe(true);
    expect(call.params).toMatchObject({ chat_id: '77', caption: 'a <b>chart</b>', parse_mode: 'HTML' });
  });

  it('reads urlencoded, JSON and query-string parameters, and answers callback queries', async () => {
    api = await FakeBotApi.start({ token: TOKEN });
    const client = new Api(TOKEN, { apiRoot: api.url });
    const markup = { inline_keyboard: [[{ text: 'Graph', callback_data: 'bb:g:x' }]] };
    const message = await client.sendMessage({ chat_id: 5, text: 'hi', reply_markup: markup });
    expect(message.text).toBe('hi');
    expect(JSON.parse(api.callsOf('sendMessage')[0]!.params.reply_markup!)).toEqual(markup);
    const json = await fetch(`${api.url}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 6, text: 'json' }),
    });
    expect(((await json.json()) as { ok: boolean }).ok).toBe(true);
    await fetch(`${api.url}/bot${TOKEN}/answerCallbackQuery?callback_query_id=cq1&text=done`);
    expect(api.callsOf('answerCallbackQuery')[0]!.params).toEqual({ callback_query_id: 'cq1', text: 'done' });
    expect(api.callsOf('sendMessage')[1]!.params).toEqual({ chat_id: '6', text: 'json' });
  });

  it('answers unknown methods with 404 and a wrong token with 401, recording both', async () => {
    api = await FakeBotApi.start({ token: TOKEN });
    const unknown = await fetch(`${api.url}/bot${TOKEN}/sendTelepathy`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      ok: false,
      error_code: 404,
      description: 'Not Found: method not found',
    });
    const client = new Api('42:wrong', { apiRoot: api.url });
    const refused = await client.getMe().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TelegramApiError);
    expect(refused).toMatchObject({ errorCode: 401, description: 'Unauthorized' });
    expect(api.calls.map((call) => [call.method, call.authorized])).toEqual([
      ['sendTelepathy', true],
      ['getMe', false],
    ]);
    const empty = await new Api(TOKEN, { apiRoot: api.url })
      .sendMessage({ chat_id: 1, text: '' })
      .catch((error: unknown) => error);
    expect(empty).toMatchObject({ errorCode: 400 });
  });
});
