/**
 * The HTTP server: connection limits, then one route table (router.ts), each route with the access
 * it needs; authentication and the origin check of browser writes run before any route that is not
 * public. Public: `/health`, the login form and what it needs; reading needs the `read` role,
 * ingesting, publishing, silencing and kicking a client the `write` role.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SubscribeAccess, type Acl } from '../broker/acl.js';
import type { Bus } from '../core/bus/bus.js';
import { errorMessage } from '../core/runtime/errors.js';
import { LogThrottle } from '../core/util/log-throttle.js';
import type { Logger } from '../core/runtime/logger.js';
import type { Topics } from '../core/topics.js';
import { HistoryAccess } from './history-access.js';
import type { HistoryReadTarget } from '../history/config.js';
import { readTarget } from '../history/open.js';
import { SILENCE_ANSWER_TIMEOUT_MS } from '../alarms/silence-client.js';
import { API_READ_PATHS, handleApiRead } from './api-routes.js';
import { SESSION_COOKIE, cookieValue, type Authenticator, type Identified, type Principal } from './auth.js';
import type { BusState } from './bus-state.js';
import type { ProxyTrust } from './client-address.js';
import type { WebConfig } from './config.js';
import { httpServerOptions } from '../core/util/http-timeouts.js';
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
import { addPageRoutes, notFoundPage } from './pages/routes.js';
import { handleKick } from './kick-route.js';
import { retainedPage, retainedQuery, type RetainedQuery } from './retained-route.js';
import { Router, parseQuery, type Route, type RouteContext } from './router.js';
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
  /** Where history is read from (`history.read`); default: the store at historyPath. */
  readonly historyRead?: HistoryReadTarget | undefined;
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

/** No route for the path: a page saying so to a browser, `{code, message}` to anything else. */
function notFound(request: IncomingMessage, response: ServerResponse, method: string, path: string): void {
  const wantsPage = method === 'GET' && (request.headers.accept ?? '').includes('text/html');
  if (wantsPage && !path.startsWith('/api/'))
    return sendText(response, 404, notFoundPage(`There is no page at ${path}.`), 'text/html');
  sendJson(response, 404, { code: 'not found', message: `no route for ${method} ${path}` });
}

export function createWebServer(options: WebServerOptions): Server {
  const { config, auth, sessions, log, counters, trust } = options;
  const originRefusals = new LogThrottle(1, 10);

  const history = new HistoryAccess(readTarget(options.historyPath, options.historyRead));

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
    const report = checkHealth(options.state, await options.brokerCheck(), await history.problem());
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
    return history.hasSource(source);
  }

  function logout({ request, response }: RouteContext): void {
    const id = cookieValue(request, SESSION_COOKIE);
    if (id !== undefined) sessions.delete(id);
    response.setHeader('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    // The pages' "log out" button is a form: the browser goes on to the login form.
    if ((request.headers.accept ?? '').includes('text/html')) {
      response.writeHead(303, { location: '/login' });
      response.end();
      return;
    }
    sendJson(response, 200, {});
  }

  async function ingest({ request, response, url, params, principal }: RouteContext): Promise<void> {
    const body = await readBody(request, config.maxBodySize);
    const canPublish = publishCheck(principal!);
    if (params.topic !== undefined)
      return handlePublish(params.topic, url, body, response, options.bus, canPublish, options.maxPacketSize);
    return handleWrite(url, body, response, options.bus, options.topics, canPublish, options.maxPacketSize);
  }

  // Requests to the alarms component (silences, acknowledgements): answered once it published.
  function requestContext(principal: Principal): SilenceRouteContext {
    return {
      state: options.state,
      bus: options.bus,
      topics: options.topics,
      principal,
      canPublish: publishCheck(principal, true),
      answerTimeoutMs: options.silenceAnswerTimeoutMs ?? SILENCE_ANSWER_TIMEOUT_MS,
    };
  }

  function silences({ request, response, url, principal }: RouteContext): Promise<void> {
    return handleSilences(request, response, url.pathname, requestContext(principal!));
  }

  async function events({ request, response, url }: RouteContext): Promise<void> {
    const close = limits.openStream(trust.clientAddress(request));
    if (!close) {
      throw new HttpError(503, 'busy', 'too many live streams open; try again later', {
        'retry-after': '30',
      });
    }
    try {
      await handleEvents(request, response, url, options.bus, options.topics, options.state);
    } finally {
      close();
    }
  }

  const router = new Router();
  const read = { access: 'read' } as const;
  const write = { access: 'write' } as const;
  router
    .add(['GET', 'HEAD'], '/health', { access: 'public' }, ({ response }) => health(response))
    .add('POST', '/login', { access: 'public' }, ({ request, response }) => login(request, response))
    .add('POST', '/logout', read, logout)
    .add('POST', '/api/v2/write', write, ingest)
    .add('POST', '/write', write, ingest)
    .add('POST', '/api/publish/*topic', write, ingest)
    .add('GET', SILENCES_PATH, read, silences)
    .add('POST', SILENCES_PATH, write, silences)
    .add('DELETE', `${SILENCES_PATH}/:id`, write, silences)
    .add('POST', ACKS_PATH, write, ({ request, response, principal }) =>
      handleAcks(request, response, requestContext(principal!)),
    )
    .add('GET', '/metrics', read, ({ response }) =>
      sendText(response, 200, prometheusText(options.state.stats), 'text/plain; version=0.0.4'),
    )
    .add('GET', '/api/whoami', read, ({ response, principal }) =>
      sendJson(response, 200, { name: principal!.name, role: principal!.role }),
    )
    .add('GET', '/api/events', read, events)
    .add('GET', '/api/inventory/:source', read, ({ response, params }) => {
      const inventory = options.state.inventories.get(params.source!);
      if (!inventory) throw new HttpError(404, 'not found', 'no inventory for this source');
      sendJson(response, 200, inventory);
    })
    .add('GET', '/api/alarms', read, ({ response }) => sendJson(response, 200, options.state.alarmsView()))
    .add('GET', '/api/broker/clients', read, ({ response }) =>
      sendJson(response, 200, options.state.brokerClients),
    )
    .add('POST', '/api/broker/clients/:clientId/kick', write, ({ request, response, params, principal }) =>
      handleKick(request, response, params.clientId!, {
        state: options.state,
        bus: options.bus,
        topics: options.topics,
        log,
        principal: principal!,
        canPublish: publishCheck(principal!, true),
      }),
    )
    .add('GET', '/api/broker/rates', read, ({ response }) =>
      sendJson(response, 200, options.state.brokerRates.columns()),
    )
    .add(
      'GET',
      '/api/retained',
      { ...read, query: retainedQuery },
      async ({ response, query, principal }) => {
        const acl = options.acl.forClient(principal!.aclUser, `web:${principal!.name}`);
        const page = await retainedPage(options.bus, query as RetainedQuery, {
          mayReadAny: (filter) => acl.subscribeAccess(filter) !== SubscribeAccess.Refused,
          mayRead: (topic) => acl.canReceive(topic),
        });
        sendJson(response, 200, page);
      },
    )
    .add('GET', '/api/stats', read, ({ response }) =>
      sendJson(response, 200, Object.fromEntries(options.state.stats)),
    )
    .add('GET', '/api/status', read, ({ response }) =>
      sendJson(response, 200, Object.fromEntries(options.state.sources)),
    );
  for (const path of API_READ_PATHS) {
    router.add('GET', path, read, ({ response, url }) =>
      history.withSource((source) => handleApiRead(path, url, response, source)).then(() => undefined),
    );
  }
  addPageRoutes(router, knownSource);

  /** Who asks, checked against the route's access; undefined on public routes. */
  async function authorize(
    route: Route,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<{ principal: Principal; identified: Identified | undefined } | 'answered' | undefined> {
    if (route.access === 'public') return undefined;
    const identified = await auth.identify(request);
    if (identified === false) throw new HttpError(401, 'unauthorized', 'wrong credentials');
    const principal: Principal | undefined = identified?.principal ?? auth.anonymous(request);
    if (!principal && route.page) {
      // A browser asking for a page: the login form, then back here.
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      response.writeHead(303, { location: `/login?next=${encodeURIComponent(path)}` });
      response.end();
      return 'answered';
    }
    if (!principal) {
      response.setHeader('www-authenticate', 'Basic realm="busbar", charset="UTF-8"');
      throw new HttpError(401, 'unauthorized', 'log in (POST /login), or send Basic or Bearer credentials');
    }
    checkOrigin(request, identified);
    if (route.access === 'write' && principal.role !== 'write')
      throw new HttpError(403, 'forbidden', `${principal.name} may only read`);
    return { principal, identified };
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const match = router.match(method, url.pathname);
    if (match.kind === 'not found') return notFound(request, response, method, url.pathname);
    if (match.kind === 'method not allowed') {
      const allow = match.allow.join(', ');
      throw new HttpError(
        405,
        'method not allowed',
        `${method} ${url.pathname}: this path answers ${allow}`,
        {
          allow,
        },
      );
    }
    const who = await authorize(match.route, request, response);
    if (who === 'answered') return;
    await match.route.handler({
      request,
      response,
      url,
      params: match.params,
      query: parseQuery(match.route, url),
      principal: who?.principal,
      identified: who?.identified,
    });
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
