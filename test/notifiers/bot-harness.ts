/**
 * A real busbar (history store, alarms, notifiers with the Telegram bot and a Telegram target) whose
 * Bot API is the local fake: tests play the users' side through it.
 */
import type { MqttClient } from 'mqtt';
import { expect } from 'vitest';
import type { ConfigInput } from '../../config/schema.js';
import { HistoryReader } from '../../sinks/history/reader.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { FakeBotApi, type BotApiCall, type FakeChat, type FakeUser } from '../helpers/fake-bot-api.js';
import { Clients, waitFor } from '../helpers/mqtt-clients.js';
import { tempDir } from '../helpers/process.js';

export const TOKEN = '7012345678:AAE-test_TOKEN_never_in_logs_42xyz';
export const OPS_CHAT: FakeChat = { id: 1001 };
export const OPS_USER: FakeUser = { id: 501, username: 'ann' };
export const STRANGER_CHAT: FakeChat = { id: 6666 };
export const STRANGER: FakeUser = { id: 666, username: 'mallory' };

export interface BotHarness {
  readonly busbar: TestBusbar;
  readonly api: FakeBotApi;
  readonly client: MqttClient;
  readonly statePath: string;
  /** A user writes `text`; resolves with the bot's first reply to that chat after it. */
  ask(text: string, chat?: FakeChat, user?: FakeUser, method?: string): Promise<BotApiCall>;
  /** Publishes line protocol on busbar/metrics/<source>/<measurement>. */
  publish(source: string, measurement: string, lines: string): Promise<void>;
  /** Resolves with the first retained or live alarm JSON on busbar/alarms/<rule>/+ in `state`. */
  alarm(rule: string, state: string): Promise<Record<string, unknown>>;
  /** Waits until the history store holds a point of `pattern` (newer than `after`, if given). */
  stored(pattern: string, after?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly alarms?: ConfigInput['alarms'];
  readonly routes?: NonNullable<ConfigInput['notifiers']>['routes'];
  readonly bot?: Record<string, unknown>;
  /** Kept across a restart (pairing persistence). */
  readonly statePath?: string;
  /**
   * The data directory (history, alarm state, the bot's files), kept across a restart: the caller
   * removes it. Default: a new one, removed on stop.
   */
  readonly dir?: { readonly path: string };
  readonly broker?: ConfigInput['broker'];
  readonly api?: FakeBotApi;
  /** Targets besides telegram:ops (merged per service). */
  readonly services?: Record<string, Record<string, unknown>>;
  /** Default true: the history store on. */
  readonly history?: boolean;
  /** notifiers.externalUrl: the web console's address in links. */
  readonly externalUrl?: string;
  /** Default true: resolve once the bot polls. */
  readonly waitForPoll?: boolean;
}

export async function startBotHarness(options: HarnessOptions = {}): Promise<BotHarness> {
  const own = options.dir ? undefined : await tempDir('telegram');
  const dir = options.dir ?? own!;
  const statePath = options.statePath ?? `${dir.path}/telegram.json`;
  const api = options.api ?? (await FakeBotApi.start({ token: TOKEN }));
  const historyPath = `${dir.path}/history.db`;
  const busbar = await startTestBusbar({
    ...(options.broker ? { broker: options.broker } : {}),
    agent: { enabled: false },
    web: { enabled: false },
    sinks: { history: { enabled: options.history ?? true, path: historyPath, flushInterval: '20ms' } },
    alarms: { defaults: false, statePath: `${dir.path}/alarms.json`, ...options.alarms },
    notifiers: {
      enabled: true,
      ...(options.externalUrl === undefined ? {} : { externalUrl: options.externalUrl }),
      bot: {
        enabled: true,
        token: TOKEN,
        apiRoot: api.url,
        allow: { chats: [OPS_CHAT.id] },
        statePath,
        pollTimeout: '2s',
        ...options.bot,
      },
      services: {
        ...options.services,
        telegram: {
          ...options.services?.telegram,
          // Settings given for ops are added to its chat and the fake's address.
          ops: {
            chats: [OPS_CHAT.id],
            apiRoot: api.url,
            ...(options.services?.telegram?.ops as object | undefined),
          },
        },
      },
      routes: options.routes ?? [],
      delivery: { ratePerMinute: 6000, burst: 1000, retryInitial: '100ms' },
    },
  });
  const clients = new Clients();
  const client = await clients.connect(busbar.url);
  const harness: BotHarness = {
    busbar,
    api,
    client,
    statePath,
    async ask(text, chat = OPS_CHAT, user = OPS_USER, method) {
      const before = api.calls.length;
      api.userMessage(chat, user, text);
      return api.waitForCall(
        (call) =>
          api.calls.indexOf(call) >= before &&
          (method === undefined
            ? call.method === 'sendMessage' || call.method === 'sendPhoto'
            : call.method === method) &&
          call.params.chat_id === String(chat.id),
        `a reply to "${text}"`,
        15_000,
      );
    },
    async publish(source, measurement, lines) {
      await client.publishAsync(`busbar/metrics/${source}/${measurement}`, lines, { qos: 1 });
    },
    async alarm(rule, state) {
      const topic = `busbar/alarms/${rule}/+`;
      let found: Record<string, unknown> | undefined;
      const onMessage = (received: string, payload: Buffer): void => {
        if (!received.startsWith(`busbar/alarms/${rule}/`) || payload.length === 0) return;
        const parsed = JSON.parse(payload.toString()) as Record<string, unknown>;
        if (parsed.state === state) found = parsed;
      };
      client.on('message', onMessage);
      await client.subscribeAsync(topic, { qos: 1 });
      try {
        await waitFor(() => found !== undefined, `alarm ${rule} ${state}`, 15_000);
      } finally {
        client.off('message', onMessage);
        await client.unsubscribeAsync(topic);
      }
      return found!;
    },
    async stored(pattern, after = 0) {
      await waitFor(
        () => {
          try {
            const reader = HistoryReader.open(historyPath);
            try {
              return reader.latest(pattern).some((point) => point.time > after);
            } finally {
              reader.close();
            }
          } catch {
            return false;
          }
        },
        `history of ${pattern}`,
        15_000,
      );
    },
    async stop() {
      await clients.closeAll();
      await busbar.stop();
      if (!options.api) await api.close();
      await own?.remove();
    },
  };
  // Ready once the bot polls.
  if (options.waitForPoll !== false)
    await api.waitForCall((call) => call.method === 'getUpdates', 'the first poll', 15_000);
  return harness;
}

interface Button {
  readonly text: string;
  readonly callback_data: string;
}

/** The inline buttons under a message the bot sent. */
export function buttons(call: BotApiCall): Button[] {
  const markup = call.params.reply_markup;
  if (markup === undefined) return [];
  return (JSON.parse(markup) as { inline_keyboard: Button[][] }).inline_keyboard.flat();
}

/** Taps a button under a message the bot sent; resolves with the tap's answerCallbackQuery. */
export async function tap(h: BotHarness, message: BotApiCall, label: string): Promise<BotApiCall> {
  const button = buttons(message).find((one) => one.text === label);
  expect(button, `a "${label}" button`).toBeDefined();
  const update = h.api.pressButton(OPS_CHAT, OPS_USER, button!.callback_data);
  const id = (update.callback_query as { id: string }).id;
  return h.api.waitForCall(
    (call) => call.method === 'answerCallbackQuery' && call.params.callback_query_id === id,
    `the answer to "${label}"`,
  );
}
