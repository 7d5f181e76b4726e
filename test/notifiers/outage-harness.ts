/**
 * Receivers that go down and come back, and a whole busbar whose alarms reach them: a real SMTP
 * server (smtp-server), the fake Bot API and a webhook server, each on its own port, and a busbar
 * with one threshold rule (`hot`: temp.celsius above 50), each alarm its own group sent at once, and
 * routes from busbar/notify/# to the targets a test names. Delivery retries on short intervals, so
 * tests wait for conditions rather than for the defaults' minutes.
 */
import type { ParsedMail } from 'mailparser';
import { afterEach } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { ConfigInput } from '../../config/schema.js';
import type { NotifiersConfigInput } from '../../notifiers/config.js';
import { startTestBusbar, type TestBusbar } from '../helpers/busbar.js';
import { FakeBotApi } from '../helpers/fake-bot-api.js';
import { Clients, record, type ReceivedMessage } from '../helpers/mqtt-clients.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startHookServer, type HookServer } from './webhook-server.js';

const PASSWORD = 'smtp-pass-outage-7d1';
export const TOKEN = '7012345678:AAE-outage_TOKEN_never_in_logs';
export const CHAT = 4242;

export interface Receivers {
  readonly smtp: TestSmtp;
  readonly mails: ParsedMail[];
  /** SMTP reply codes the next mails are answered with instead of being accepted. */
  readonly refusals: number[];
  readonly api: FakeBotApi;
  readonly hook: HookServer;
  close(): Promise<void>;
}

export async function startReceivers(): Promise<Receivers> {
  const mails: ParsedMail[] = [];
  const refusals: number[] = [];
  const smtp = await startTestSmtp(PASSWORD, mails, [], refusals);
  const api = await FakeBotApi.start({ token: TOKEN });
  const hook = await startHookServer();
  return {
    smtp,
    mails,
    refusals,
    api,
    hook,
    async close() {
      await smtp.close();
      await api.close();
      await hook.close();
    },
  };
}

/** Subjects of the mails received (each the alarm's one-line summary). */
export function subjects(receivers: Receivers): string[] {
  return receivers.mails.map((mail) => mail.subject ?? '');
}

/** Texts of the Telegram messages received. */
export function chatTexts(receivers: Receivers): string[] {
  return receivers.api.callsOf('sendMessage').map((call) => call.params.text ?? '');
}

/** `email:ops`, `telegram:ops` and `webhook:backup`, one on each receiver. */
export function receiverServices(receivers: Receivers): NotifiersConfigInput['services'] {
  return {
    email: {
      ops: {
        host: '127.0.0.1',
        port: receivers.smtp.port,
        security: 'none',
        username: 'busbar',
        password: PASSWORD,
        from: 'busbar@example.org',
        to: ['ops@example.org'],
        charts: false,
      },
    },
    telegram: { ops: { token: TOKEN, chats: [CHAT], apiRoot: receivers.api.url } },
    webhook: { backup: { url: receivers.hook.url } },
  };
}

export interface OutageBusbar {
  readonly busbar: TestBusbar;
  readonly client: MqttClient;
  /** Every message on busbar/alarms/#, busbar/deadletter/# and busbar/stats/#, as received. */
  readonly seen: ReceivedMessage[];
  /** A temp.celsius point of `source`: above 50 fires `hot` for it. */
  publish(source: string, celsius: number): Promise<void>;
  /** The latest statistics of a component (`notifiers`, `alarms`), or undefined. */
  stats(component: string): Record<string, unknown> | undefined;
  stop(): Promise<void>;
}

export interface OutageSetup {
  readonly routes: NotifiersConfigInput['routes'];
  readonly delivery?: NotifiersConfigInput['delivery'];
  /** The notification record and alarm state, kept across a restart when a test passes the same. */
  readonly dataDir?: string;
  readonly notifiers?: Partial<NotifiersConfigInput>;
  /**
   * How soon a group's changed or undelivered alarm is sent again (200ms unless given): a message
   * that died is sent again after it, so a test that counts deaths sets it longer than it runs.
   */
  readonly groupInterval?: string;
}

export async function startOutageBusbar(
  receivers: Receivers,
  clients: Clients,
  setup: OutageSetup,
): Promise<OutageBusbar> {
  const kept: ConfigInput = setup.dataDir
    ? { alarms: { statePath: `${setup.dataDir}/alarms.json` } }
    : { alarms: {} };
  const busbar = await startTestBusbar({
    agent: { enabled: false },
    alarms: {
      ...kept.alarms,
      defaults: false,
      evaluateInterval: '50ms',
      rules: [{ kind: 'threshold', name: 'hot', measurement: 'temp', field: 'celsius', above: 50 }],
      notify: { groupBy: ['...'], groupWait: '0s', groupInterval: setup.groupInterval ?? '200ms' },
    },
    notifiers: {
      enabled: true,
      ...(setup.dataDir ? { recordPath: `${setup.dataDir}/notifications.db` } : {}),
      services: receiverServices(receivers),
      routes: setup.routes,
      delivery: { retryInitial: '50ms', retryMax: '500ms', timeout: '2s', ...setup.delivery },
      ...setup.notifiers,
    },
  });
  const client = await clients.connect(busbar.url);
  const seen = record(client);
  await client.subscribeAsync(['busbar/alarms/#', 'busbar/deadletter/#', 'busbar/stats/#'], { qos: 1 });
  return {
    busbar,
    client,
    seen,
    async publish(source, celsius) {
      await client.publishAsync(`busbar/metrics/${source}/temp`, `temp celsius=${celsius}`, { qos: 1 });
    },
    stats(component) {
      const last = seen.findLast((message) => message.topic === `busbar/stats/${component}`);
      return last ? (JSON.parse(last.payload) as Record<string, unknown>) : undefined;
    },
    stop: () => busbar.stop(),
  };
}

/** A route from the grouped alarm notifications to `targets`, titled with the alarm's summary. */
export function notifyRoute(name: string, targets: string[], failover: string[] = []) {
  return {
    name,
    topic: 'busbar/notify/#',
    title: '{payload.summary}',
    message: '{alarms}',
    targets,
    failover,
  };
}

/** How many of `texts` mention the `hot` alarm of `source`. */
export function about(texts: readonly string[], source: string): number {
  return texts.filter((text) => text.includes(`on ${source}`)).length;
}

export interface OutageTest {
  /** Starts the receivers of this test. */
  receivers(): Promise<Receivers>;
  /** Starts a busbar on them (after `receivers`). */
  busbar(setup: OutageSetup): Promise<OutageBusbar>;
  /** Stops the busbar (a restart: start another with the same data directory). */
  stopBusbar(): Promise<void>;
}

/** Receivers and a busbar per test, stopped after each (call at the top of a test file). */
export function outageTest(): OutageTest {
  const clients = new Clients();
  let receivers: Receivers | undefined;
  let running: OutageBusbar | undefined;
  afterEach(async () => {
    await clients.closeAll();
    await running?.stop();
    await receivers?.close();
    running = receivers = undefined;
  });
  return {
    async receivers() {
      receivers = await startReceivers();
      return receivers;
    },
    async busbar(setup) {
      if (!receivers) throw new Error('outageTest: start the receivers first');
      running = await startOutageBusbar(receivers, clients, setup);
      return running;
    },
    async stopBusbar() {
      await running?.stop();
      running = undefined;
    },
  };
}
