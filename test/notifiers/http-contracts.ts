/**
 * Each service's request as its documentation gives it, as a Contract for http-receiver.ts: the
 * method, path, headers and body fields it requires, answered with the service's success or its
 * documented refusal. A preset that sent anything else would be refused here and its notification
 * not delivered.
 */
import { jsonBody, type Answer, type Contract, type Received } from './http-receiver.js';

const JSON_TYPE = /^application\/json\b/;

/** The first thing wrong with a request, or undefined. */
type Check = (request: Received, body: Record<string, unknown>) => string | undefined;

function jsonContract(
  method: string,
  path: RegExp,
  check: Check,
  ok: (body: Record<string, unknown>, request: Received) => Answer,
  refuse: (problem: string) => Answer,
): Contract {
  return (request) => {
    if (request.method !== method) return { status: 405, body: `${request.method} not allowed` };
    if (!path.test(request.path)) return { status: 404, body: `no such path ${request.path}` };
    if (!JSON_TYPE.test(request.headers['content-type'] ?? '')) return refuse('body is not JSON');
    const body = jsonBody(request);
    if (!body) return refuse('body is not a JSON object');
    const problem = check(request, body);
    return problem === undefined ? ok(body, request) : refuse(problem);
  };
}

const isText = (value: unknown, max = Infinity): value is string =>
  typeof value === 'string' && value.length > 0 && [...value].length <= max;

/** https://docs.ntfy.sh/publish/#publish-as-json: POST / with topic, message, title, tags, priority 1-5. */
export function ntfyContract(topic: string, token: string): Contract {
  return jsonContract(
    'POST',
    /^\/$/,
    (request, body) => {
      if (request.headers.authorization !== `Bearer ${token}`) return 'unauthorized';
      if (body.topic !== topic) return 'invalid topic';
      if (typeof body.message !== 'string' || typeof body.title !== 'string')
        return 'message and title are text';
      if (!Number.isInteger(body.priority) || (body.priority as number) < 1 || (body.priority as number) > 5)
        return 'invalid priority';
      if (!Array.isArray(body.tags) || !body.tags.every((tag) => typeof tag === 'string'))
        return 'invalid tags';
      return undefined;
    },
    (body) => ({ status: 200, body: { id: 'sPs71M8A2T', time: 1, event: 'message', topic: body.topic } }),
    (problem) => ({
      status: problem === 'unauthorized' ? 401 : 400,
      body: { code: 40000, http: 400, error: problem },
    }),
  );
}

/** https://gotify.net/api-docs#/message/createMessage: POST /message, X-Gotify-Key, priority an integer. */
export function gotifyContract(token: string): Contract {
  return jsonContract(
    'POST',
    /^\/message$/,
    (request, body) => {
      if (request.headers['x-gotify-key'] !== token) return 'unauthorized';
      if (!isText(body.message)) return 'message is required';
      if (body.title !== undefined && typeof body.title !== 'string') return 'title is text';
      if (body.priority !== undefined && !Number.isInteger(body.priority)) return 'priority is an integer';
      return undefined;
    },
    (body) => ({ status: 200, body: { id: 1, appid: 1, ...body, date: new Date().toISOString() } }),
    (problem) =>
      problem === 'unauthorized'
        ? {
            status: 401,
            body: {
              error: 'Unauthorized',
              errorCode: 401,
              errorDescription:
                'you need to provide a valid access token or user credentials to access this api',
            },
          }
        : { status: 400, body: { error: 'Bad Request', errorCode: 400, errorDescription: problem } },
  );
}

/** https://pushover.net/api: POST /1/messages.json, form fields token, user, message, title, priority. */
export function pushoverContract(token: string, user: string): Contract {
  const refuse = (field: string, error: string): Answer => ({
    status: 400,
    body: { [field]: 'invalid', errors: [error], status: 0, request: 'r-1' },
  });
  return (request) => {
    if (request.method !== 'POST' || request.path !== '/1/messages.json')
      return { status: 404, body: 'not found' };
    if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return refuse('message', 'message cannot be blank');
    const form = new URLSearchParams(request.text);
    if (form.get('token') !== token) return refuse('token', 'application token is invalid');
    if (form.get('user') !== user)
      return refuse('user', 'user identifier is not a valid user, group, or subscribed user key');
    const message = form.get('message') ?? '';
    if (message === '' || [...message].length > 1024)
      return refuse('message', 'message cannot be blank or longer than 1024 characters');
    if ([...(form.get('title') ?? '')].length > 250) return refuse('title', 'title is too long');
    const priority = Number(form.get('priority') ?? '0');
    if (!Number.isInteger(priority) || priority < -2 || priority > 2)
      return refuse('priority', 'priority is invalid');
    if (priority === 2 && (!form.has('retry') || !form.has('expire')))
      return refuse('retry', 'retry and expire are required for emergency-priority notifications');
    return { status: 200, body: { status: 1, request: 'r-1' } };
  };
}

/** Slack and Mattermost incoming webhooks: POST of JSON with `text`; "ok", or 400 `no_text`. */
export function incomingWebhookContract(path: string): Contract {
  return jsonContract(
    'POST',
    new RegExp(`^${path}$`),
    (_request, body) => (isText(body.text) ? undefined : 'no_text'),
    () => ({ status: 200, body: 'ok' }),
    (problem) => ({ status: 400, body: problem === 'no_text' ? 'no_text' : 'invalid_payload' }),
  );
}

/** https://discord.com/developers/docs/resources/webhook#execute-webhook and the embed limits. */
export function discordContract(id: string, token: string): Contract {
  return jsonContract(
    'POST',
    new RegExp(`^/api/webhooks/${id}/${token}$`),
    (_request, body) => {
      const embeds = body.embeds as Record<string, unknown>[] | undefined;
      if (!isText(body.content) && !(Array.isArray(embeds) && embeds.length > 0))
        return 'Cannot send an empty message';
      for (const embed of embeds ?? []) {
        if (embed.title !== undefined && !isText(embed.title, 256))
          return 'embeds.0.title: Must be 256 or fewer in length.';
        if (embed.description !== undefined && !isText(embed.description, 4096))
          return 'embeds.0.description: Must be 4096 or fewer in length.';
        if (
          embed.color !== undefined &&
          !(Number.isInteger(embed.color) && (embed.color as number) <= 0xffffff)
        )
          return 'embeds.0.color: Value is not int.';
      }
      return undefined;
    },
    () => ({ status: 204 }),
    (problem) => ({ status: 400, body: { message: problem, code: 50006 } }),
  );
}

/** A Teams Workflows webhook: a `message` whose attachment is an Adaptive Card; 202 Accepted. */
export function teamsContract(path: string): Contract {
  return jsonContract(
    'POST',
    new RegExp(`^${path}$`),
    (_request, body) => {
      if (body.type !== 'message') return 'type must be message';
      const attachment = (body.attachments as Record<string, unknown>[] | undefined)?.[0];
      if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive')
        return 'not an Adaptive Card';
      const card = attachment.content as Record<string, unknown> | undefined;
      if (card?.type !== 'AdaptiveCard' || typeof card.version !== 'string') return 'not an Adaptive Card';
      const blocks = card.body as Record<string, unknown>[] | undefined;
      if (!Array.isArray(blocks) || blocks.length === 0) return 'the card is empty';
      if (!blocks.every((block) => block.type === 'TextBlock' && typeof block.text === 'string'))
        return 'bad TextBlock';
      return undefined;
    },
    () => ({ status: 202, body: '' }),
    (problem) => ({ status: 400, body: { error: { code: 'TriggerInputSchemaMismatch', message: problem } } }),
  );
}

/**
 * Matrix `PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`: the access token as a
 * Bearer token; the same txnId again answers the same event (the spec's idempotency).
 */
export function matrixContract(room: string, token: string): Contract & { events: Map<string, unknown> } {
  const events = new Map<string, unknown>();
  const path = new RegExp(
    `^/_matrix/client/v3/rooms/${encodeURIComponent(room).replace(/[!$]/g, '\\$&')}/send/m\\.room\\.message/([^/]+)$`,
  );
  const contract = (request: Received): Answer => {
    if (request.headers.authorization !== `Bearer ${token}`)
      return { status: 401, body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.' } };
    const txn = path.exec(request.path)?.[1];
    if (request.method !== 'PUT' || txn === undefined)
      return { status: 404, body: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' } };
    const body = jsonBody(request);
    if (!body || typeof body.msgtype !== 'string' || typeof body.body !== 'string')
      return { status: 400, body: { errcode: 'M_BAD_JSON', error: 'msgtype and body are required' } };
    if (!events.has(txn)) events.set(txn, body);
    return { status: 200, body: { event_id: `$${txn}` } };
  };
  return Object.assign(contract, { events });
}

/**
 * PagerDuty Events API v2 `POST /v2/enqueue`: a trigger needs payload.summary (1,024 characters at
 * most), source and severity; a resolve needs the dedup_key of an open incident to resolve it.
 */
export function pagerdutyContract(routingKey: string): Contract & { incidents: Map<string, string> } {
  const incidents = new Map<string, string>();
  const contract = jsonContract(
    'POST',
    /^\/v2\/enqueue$/,
    (_request, body) => {
      if (body.routing_key !== routingKey) return 'routing_key is invalid';
      if (!['trigger', 'acknowledge', 'resolve'].includes(String(body.event_action)))
        return 'event_action is invalid';
      if (body.dedup_key !== undefined && !isText(body.dedup_key, 255)) return 'dedup_key is invalid';
      if (body.event_action !== 'trigger')
        return isText(body.dedup_key) ? undefined : 'dedup_key is required';
      const payload = body.payload as Record<string, unknown> | undefined;
      if (!isText(payload?.summary, 1024)) return "'payload.summary' is missing or blank";
      if (!isText(payload?.source)) return "'payload.source' is missing or blank";
      if (!['critical', 'error', 'warning', 'info'].includes(String(payload?.severity)))
        return "'payload.severity' is invalid";
      return undefined;
    },
    (body) => {
      const key = String(body.dedup_key);
      incidents.set(key, body.event_action === 'resolve' ? 'resolved' : 'triggered');
      return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: key } };
    },
    (problem) => ({
      status: 400,
      body: { status: 'invalid event', message: 'Event object is invalid', errors: [problem] },
    }),
  );
  return Object.assign(contract, { incidents });
}

/**
 * Opsgenie Alert API: `Authorization: GenieKey ...`; POST /v2/alerts (message of 130 characters at
 * most, alias, priority P1-P5) and POST /v2/alerts/{alias}/close?identifierType=alias.
 */
export function opsgenieContract(apiKey: string): Contract & { alerts: Map<string, string> } {
  const alerts = new Map<string, string>();
  const accepted: Answer = {
    status: 202,
    body: { result: 'Request will be processed', took: 0.1, requestId: 'q-1' },
  };
  const refuse = (status: number, message: string): Answer => ({
    status,
    body: { message, took: 0, requestId: 'q-1' },
  });
  const contract = (request: Received): Answer => {
    if (request.headers.authorization !== `GenieKey ${apiKey}`) return refuse(401, 'Could not authenticate');
    if (request.method !== 'POST') return refuse(405, 'Method not allowed');
    if (!JSON_TYPE.test(request.headers['content-type'] ?? '')) return refuse(415, 'Unsupported media type');
    const body = jsonBody(request) ?? {};
    if (request.path === '/v2/alerts') {
      if (!isText(body.message, 130))
        return refuse(422, 'Message can not be empty or longer than 130 characters.');
      if (body.alias !== undefined && !isText(body.alias, 512)) return refuse(422, 'Alias is invalid.');
      if (body.priority !== undefined && !/^P[1-5]$/.test(String(body.priority)))
        return refuse(422, 'Priority should be one of [P1, P2, P3, P4, P5]');
      alerts.set(String(body.alias), 'open');
      return accepted;
    }
    const close = /^\/v2\/alerts\/([^/]+)\/close$/.exec(request.path);
    if (close && request.query.get('identifierType') === 'alias') {
      const alias = decodeURIComponent(close[1]!);
      if (!alerts.has(alias)) return refuse(404, `Alert with alias [${alias}] does not exist.`);
      alerts.set(alias, 'closed');
      return accepted;
    }
    return refuse(404, 'Not found');
  };
  return Object.assign(contract, { alerts });
}
