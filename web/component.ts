/**
 * The web component of `busbar start`: the HTTP server (API, ingestion, health, metrics). Its own
 * statistics, including the URL it listens on, are published retained on `<base>/stats/web`; that
 * publish doubles as the broker check of `/health`.
 */
import type { AddressInfo } from 'node:net';
import { aborted } from '../core/util/abortable.js';
import type { Component } from '../core/runtime/component.js';
import { BusbarError, errorMessage } from '../core/runtime/errors.js';
import { LogThrottle } from '../core/util/log-throttle.js';
import type { LiveCredentials } from '../broker/live-credentials.js';
import { aclOf } from '../broker/reload.js';
import { createAuthenticator } from './auth.js';
import { BusState } from './bus-state.js';
import { ProxyTrust } from './client-address.js';
import type { WebConfig } from './config.js';
import { createWebCounters } from './counters.js';
import { LoginThrottle, type LoginFailure } from './login-throttle.js';
import { createWebServer } from './server.js';
import { Sessions } from './sessions.js';
import type { HistoryReadTarget } from '../history/config.js';

export interface WebSection extends WebConfig {
  /**
   * The broker's users, who log in with their MQTT password, and its ACL (broker.acl): what a
   * principal may publish over HTTP, as over MQTT. Both as reloaded on SIGHUP.
   */
  readonly credentials: LiveCredentials;
  /** broker.maxPacketSize: HTTP publishing makes no larger message than an MQTT client may. */
  readonly maxPacketSize: number;
  /** The history store file; undefined when the store is off. */
  readonly historyPath: string | undefined;
  /** Where history is read from (`history.read`); default: the store at historyPath. */
  readonly historyRead?: HistoryReadTarget | undefined;
}

const BROKER_CHECK_TIMEOUT_MS = 2_000;

export const webComponent: Component<WebSection> = {
  kind: 'web',
  async run(context) {
    const { config, log, bus, topics, signal, ready } = context;
    const state = new BusState(bus, topics);
    const sessions = new Sessions(
      config.sessionTtl,
      config.sessionsPath === '' ? undefined : config.sessionsPath,
    );
    const counters = createWebCounters();
    let url = '';
    const stats = context.publishStats(
      () => ({ state: 'ok', url, ...counters, at: new Date().toISOString() }),
      {
        qos: 1,
      },
    );
    const brokerCheck = async (): Promise<{ ok: boolean; detail: string }> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${BROKER_CHECK_TIMEOUT_MS} ms`)),
          BROKER_CHECK_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([stats.publishNow(), timeout]);
        return { ok: true, detail: 'ok' };
      } catch (error) {
        return { ok: false, detail: errorMessage(error) };
      } finally {
        clearTimeout(timer);
      }
    };

    await state.start();
    const trust = new ProxyTrust(config.trustedProxies);
    const failedLogins = new LogThrottle(1, 10);
    let users = config.credentials.current.users;
    let acl = aclOf(config.credentials.current, topics.base);
    let known = new Set(users.map((user) => user.username));
    const onLoginFailure = (failure: LoginFailure): void => {
      counters.loginFailures++;
      if (failure.delayMs > 0) counters.loginsDelayed++;
      const dropped = failedLogins.admit();
      if (dropped === undefined) return;
      // A name that is no user is left out: people type their password into the username field.
      const { username, ...rest } = failure;
      log.warn(
        {
          ...rest,
          ...(known.has(username) ? { username } : { unknownUser: true }),
          ...(dropped > 0 ? { failuresNotLogged: dropped } : {}),
        },
        'web login failed',
      );
    };
    const auth = createAuthenticator(
      config,
      () => users,
      sessions,
      trust,
      new LoginThrottle({}, onLoginFailure),
    );
    const stopFollowing = config.credentials.onChange((next) => {
      users = next.users;
      acl = aclOf(next, topics.base);
      known = new Set(users.map((user) => user.username));
      const ended = sessions.revalidate(auth.resolveSession);
      log.info({ users: users.length, sessionsEnded: ended }, 'web logins follow the reloaded users and ACL');
    });
    signal.addEventListener('abort', stopFollowing, { once: true });
    try {
      const { kept, dropped } = await sessions.load(auth.resolveSession);
      if (kept + dropped > 0) log.info({ kept, dropped }, 'login sessions of the previous run restored');
    } catch (error) {
      // A damaged file costs the users a login, nothing more.
      log.warn({ path: config.sessionsPath, reason: errorMessage(error) }, 'login sessions not restored');
    }
    const server = createWebServer({
      config,
      auth,
      sessions,
      state,
      bus,
      topics,
      log,
      historyPath: config.historyPath,
      historyRead: config.historyRead,
      // Each request asks for the rules of the moment.
      acl: {
        get hasRules() {
          return acl.hasRules;
        },
        forClient: (username, clientId) => acl.forClient(username, clientId),
      },
      maxPacketSize: config.maxPacketSize,
      trust,
      brokerCheck,
      counters,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error): void => {
          server.off('listening', onListening);
          reject(
            new BusbarError('BUSBAR_LISTEN_FAILED', `web ${config.host}:${config.port}: ${error.message}`, {
              retryable: true,
              cause: error,
            }),
          );
        };
        const onListening = (): void => {
          server.off('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(config.port, config.host);
      });
      server.on('error', (error) => log.error({ reason: error.message }, 'web server error'));
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${host}:${address.port}`;
      // Published at once: the URL is how a client finds a server started on port 0.
      await stats.publishNow();
      ready();
      log.info({ url }, 'web ready');
      await aborted(signal);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await state.stop();
      await sessions
        .flush()
        .catch((error: unknown) =>
          log.warn({ path: config.sessionsPath, reason: errorMessage(error) }, 'login sessions not saved'),
        );
    }
  },
};
