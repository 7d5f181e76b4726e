/**
 * The HTTP server: connection limits, authentication, the origin check of browser writes, then one
 * route table. Every route but `/health` and `/login` needs a principal; reading needs the `read`
 * role, ingesting, publishing and silencing the `write` role.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Acl } from '../broker/acl.js';
import type { Bus } from '../core/bus.js';
import { errorMessage } from '../core/errors.js';
import { LogThrottle } from '../core/log-throttle.js';
import type { Logger } from '../core/logger.js';
import type { Topics } from '../core/topics.js';
import { HistoryReader } from '../sinks/history/reader.js';
import { SILENCE_ANSWER_TIMEOUT_MS } from '../alarms/silence-client.js';
import { handleApiRead } from './api-routes.js';
import { SESSION_COOKIE, cookieValue, type Authenticator, type Identified, type Principal } from './auth.js';
import type { BusState } from './bus-state.js';
import type { ProxyTrust } from './client-address.js';
import type { WebConfig } from './config.js';
import { httpServerOptions } from '../core/http-timeouts.js';
import { limitConnections } from './connection-limits.js';
import type { WebCounters } from './counters.js';
import { checkHealth, healthText } from './health.js';
import { HttpError, readBody, sendJson, sendText } from './http.js';
import { handleEvents } from './events.js';
import { handlePublish, handleWrite } from './ingest-routes.js';
import { localPath } from './local-path.js';
import { changesState, foreignOrigin } from './origin-check.js';
import { SILENCES_PATH, handleSilences, type SilenceRouteContext } from './silence-routes.js';
import { ACKS_PATH, handleAcks } from './ack-routes.js';
import { handlePage, isPublicPage } from './pages/routes.js';
import { prometheusText } from './prometheus.js';
import type { Sessions } from './sessions.js';

export interface WebServerOptions {
  readonly config: WebConfig;
  readonly auth: Authenticator;
  readonly sessions: Sessions;
  readonly state: BusState;
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  /** The history store file; undefined when the store is off. */
  readonly historyPath: string | undefined;
  /** broker.acl compiled, with busbar's own topics reserved as for MQTT clients. */
  readonly acl: Acl;
  /** broker.maxPacketSize: the largest message publishing over HTTP may make. */
  readonly maxPacketSize: number;
  /** web.trustedProxies. */
  readonly trust: ProxyTrust;
  /** Whether the broker accepts a publish now (a round trip through the bus). */
  readonly brokerCheck: () => Promise<{ ok: boolean; detail: string }>;
  readonly counters: WebCounters;
  /** How long a silence request waits for the alarms component; default SILENCE_ANSWER_TIMEOUT_MS. */
  readonly silenceAnswerTimeoutMs?: number;
}

const PUBLISH_PREFIX = '/api/publish/';
const INVENTORY_PREFIX = '/api/inventory/';

/** The store is opened per request; until the history sink has created its file, that is a 503. */
function openReader(file: string): HistoryReader {
  try {
    return HistoryReader.open(file);
  } catch (error) {
    throw new HttpError(503, 'unavailable', `history store: ${errorMessage(error)}`);
  }
}

export function createWebServer(options: WebServerOptions): Server {
  const { config, auth, sessions, log, counters, trust } = options;
  const originRefusals = new LogThrottle(1, 10);

  /** Opens a read-only reader for one request: an export's cursor must not share a connection. */
  async function withReader<T>(action: (reader: () => HistoryReader) => Promise<T>): Promise<T> {
    if (options.historyPath === undefined) throw new HttpError(404, 'not found', 'the history store is off');
    let reader: HistoryReader | undefined;
    try {
      return await action(() => (reader ??= openReader(options.historyPath!)));
    } finally {
      reader?.close();
    }
  }

  function storeProblem(): string | undefined {
    if (options.historyPath === undefined) return undefined;
    try {
      HistoryReader.open(options.historyPath).close();
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  }

  /**
   * What this principal may publish, as an MQTT client logged in as the same user: broker.acl, and
   * busbar's own topics refused unless granted (broker/acl.ts). `rulesOnly`: broker.acl alone, for a
   * request busbar's web checked and publishes itself (a silence on <base>/control/silences).
   */
  function publishCheck(principal: Principal, rulesOnly = false): (topic: string) => boolean {
    const clientAcl = options.acl.forClient(principal.aclUser, `web:${principal.name}`);
    return rulesOnly ? (topic) => clientAcl.rulesAllowPublish(topic) : (topic) => clientAcl.canPublish(topic);
  }

  async function health(response: ServerResponse): Promise<void> {
    const report = checkHealth(options.state, await options.brokerCheck(), storeProblem());
    sendText(response, report.ok ? 200 : 503, healthText(report));
  }

  /**
   * A state-changing request a browser could have been made to send by another site: one with the
   * session cookie, browser Basic credentials or none (anonymous on loopback), not a token's.
   */
  function checkOrigin(request: IncomingMessage, identified: Identified | undefined): void {
    const via = identified?.via;
    if (!changesState(request.method ?? 'GET') || via === 'token' || via === 'query') return;
    const why = foreignOrigin(request, trust, config.trustedOrigins, via === 'cookie');
    if (why === undefined) return;
    counters.foreignOrigin++;
    const dropped = originRefusals.admit();
    if (dropped !== undefined) {
      log.warn(
        {
          path: request.url?.split('?')[0],
          remoteAddress: trust.clientAddress(request),
          origin: request.headers.origin,
          ...(dropped > 0 ? { refusalsNotLogged: dropped } : {}),
        },
        'web write from a foreign origin refused',
      );
    }
    throw new HttpError(403, 'forbidden', why);
  }

  async function login(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Logging a browser in on another site's behalf is refused too (login CSRF).
    checkOrigin(request, undefined);
    const body = (await readBody(request, 64 * 1024)).toString('utf8');
    const type = request.headers['content-type'] ?? '';
    const fields = type.includes('json')
      ? (JSON.parse(body) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(body));
    const principal = await auth.login(
      String(fields.username ?? ''),
      String(fields.password ?? ''),
      trust.clientAddress(request),
    );
    if (!principal) throw new HttpError(401, 'unauthorized', 'wrong username or password');
    const id = sessions.create(principal, auth.resolveSession(principal.name)?.credential);
    const secure = trust.origin(request)?.startsWith('https:') ? '; Secure' : '';
    response.setHeader(
      'set-cookie',
      `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(config.sessionTtl / 1000)}${secure}`,
    );
    const next = localPath(typeof fields.next === 'string' ? fields.next : undefined);
    // The form posted without its script (a browser navigation): back where the user was going.
    if ((request.headers.accept ?? '').includes('text/html')) {
      response.writeHead(303, { location: next });
      response.end();
      return;
    }
    sendJson(response, 200, { user: principal.name, role: principal.role, next });
  }

  /** A source with a status, an inventory or series in the history store has a page. */
  async function knownSource(source: string): Promise<boolean> {
    if (options.state.sources.has(source) || options.state.inventories.has(source)) return true;
    if (options.historyPath === undefined) return false;
    try {
      return await withReader(async (reader) =>
        reader()
          .sources()
          .some((entry) => entry.source === source),
      );
    } catch (error) {
      // The store not created yet knows no source; any other problem is the request's to report.
      if (error instanceof HttpError && error.status === 503) return false;
      throw error;
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    if (path === '/health' && (method === 'GET' || method === 'HEAD')) return health(response);
    if (path === '/login' && method === 'POST') return login(request, response);
    if (method === 'GET' && isPublicPage(path) && (await handlePage(url, response))) return;

    const identified = await auth.identify(request);
    if (identified === false) throw new HttpError(401, 'unauthorized', 'wrong credentials');
    const principal: Principal | undefined = identified?.principal ?? auth.anonymous(request);
    if (!principal && method === 'GET' && !path.startsWith('/api/') && path !== '/metrics') {
      // A browser asking for a page: the login form, then back here.
      response.writeHead(303, { location: `/login?next=${encodeURIComponent(path)}` });
      response.end();
      return;
    }
    if (!principal) {
      response.setHeader('www-authenticate', 'Basic realm="busbar", charset="UTF-8"');
      throw new HttpError(401, 'unauthorized', 'log in (POST /login), or send Basic or Bearer credentials');
    }
    checkOrigin(request, identified);

    if (path === '/logout' && method === 'POST') {
      const id = cookieValue(request, SESSION_COOKIE);
      if (id !== undefined) sessions.delete(id);
      response.setHeader('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      // The pages' "log out" button is a form: the browser goes on to the login form.
      if ((request.headers.accept ?? '').includes('text/html')) {
        response.writeHead(303, { location: '/login' });
        response.end();
        return;
      }
      return sendJson(response, 200, {});
    }
    if (
      method === 'POST' &&
      (path === '/api/v2/write' || path === '/write' || path.startsWith(PUBLISH_PREFIX))
    ) {
      if (principal.role !== 'write')
        throw new HttpError(403, 'forbidden', `${principal.name} may only read`);
      const body = await readBody(request, config.maxBodySize);
      const canPublish = publishCheck(principal);
      if (path.startsWith(PUBLISH_PREFIX)) {
        const topic = decodeURIComponent(path.slice(PUBLISH_PREFIX.length));
        return handlePublish(topic, url, body, response, options.bus, canPublish, options.maxPacketSize);
      }
      return handleWrite(url, body, response, options.bus, options.topics, canPublish, options.maxPacketSize);
    }
    // Requests to the alarms component (silences, acknowledgements): answered once it published.
    const requestContext = (): SilenceRouteContext => ({
      state: options.state,
      bus: options.bus,
      topics: options.topics,
      principal,
      canPublish: publishCheck(principal, true),
      answerTimeoutMs: options.silenceAnswerTimeoutMs ?? SILENCE_ANSWER_TIMEOUT_MS,
    });
    if (path === ACKS_PATH) return handleAcks(request, response, requestContext());
    if (path === SILENCES_PATH || path.startsWith(`${SILENCES_PATH}/`)) {
      return handleSilences(request, response, path, requestContext());
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed', method);
    if (path === '/metrics')
      return sendText(response, 200, prometheusText(options.state.stats), 'text/plain; version=0.0.4');
    if (path === '/api/whoami')
      return sendJson(response, 200, { name: principal.name, role: principal.role });
    if (path === '/api/events') {
      const close = limits.openStream(trust.clientAddress(request));
      if (!close) {
        throw new HttpError(503, 'busy', 'too many live streams open; try again later', {
          'retry-after': '30',
        });
      }
      try {
        return await handleEvents(request, response, url, options.bus, options.topics, options.state);
      } finally {
        close();
      }
    }
    if (!path.startsWith('/api/') && (await handlePage(url, response, knownSource))) return;
    if (path.startsWith(INVENTORY_PREFIX)) {
      const inventory = options.state.inventories.get(
        decodeURIComponent(path.slice(INVENTORY_PREFIX.length)),
      );
      if (!inventory) throw new HttpError(404, 'not found', 'no inventory for this source');
      return sendJson(response, 200, inventory);
    }
    if (path === '/api/alarms') return sendJson(response, 200, options.state.alarmsView());
    if (path === '/api/broker/clients') return sendJson(response, 200, options.state.brokerClients);
    if (path === '/api/stats') return sendJson(response, 200, Object.fromEntries(options.state.stats));
    if (path === '/api/status') {
      return sendJson(response, 200, Object.fromEntries(options.state.sources));
    }
    const handled =
      path.startsWith('/api/') && (await withReader((reader) => handleApiRead(path, url, response, reader)));
    if (!handled) throw new HttpError(404, 'not found', path);
  }

  const server = createServer(httpServerOptions(config), (request, response) => {
    counters.requests++;
    route(request, response).catch((error: unknown) => {
      // SyntaxError: a JSON login body that does not parse; URIError: a bad %-escape in the path.
      const badInput = error instanceof SyntaxError || error instanceof URIError;
      const status = error instanceof HttpError ? error.status : badInput ? 400 : 500;
      if (status === 401) counters.unauthorized++;
      // A full server (503 busy) is counted and logged where it refuses.
      if (status >= 500 && !(error instanceof HttpError && error.code === 'busy')) {
        counters.failed++;
        log.error({ path: request.url?.split('?')[0], reason: errorMessage(error) }, 'web request failed');
      }
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const code = error instanceof HttpError ? error.code : status === 400 ? 'invalid' : 'internal error';
      if (error instanceof HttpError)
        for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
      sendJson(response, status, { code, message: errorMessage(error) });
    });
  });
  const limits = limitConnections(server, config, trust, counters, log);
  return server;
}
