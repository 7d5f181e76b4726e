/**
 * A local stand-in for Telegram's Bot API (https://core.telegram.org/bots/api), for the tests and
 * `npm run bench:notify`: getMe, getUpdates (offset, limit, long-poll timeout; a second poll while
 * one waits ends the first with 409 as Telegram does), sendMessage, sendPhoto (multipart/form-data,
 * the photo's bytes kept), answerCallbackQuery and editMessageReplyMarkup. Requests are parsed as
 * Telegram accepts them: query string, urlencoded, multipart or JSON. Every call is recorded,
 * unknown methods and wrong tokens included, and answered like Telegram (404 / 401, `ok: false`).
 * Users are simulated by queueing updates: a text message, or a tap on an inline button. A slow
 * Telegram is simulated by holding the answers to some calls until the test releases them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface FakeFile {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

export interface BotApiCall {
  readonly method: string;
  /** Whether the token in the URL was the bot's. */
  readonly authorized: boolean;
  /** Every non-file parameter as sent (structured ones are JSON text, as on the wire). */
  readonly params: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, FakeFile>>;
  /** The request's content type without parameters. */
  readonly contentType: string;
  /** performance.now() when the request had arrived whole. */
  readonly at: number;
}

export interface FakeChat {
  readonly id: number;
  readonly type?: 'private' | 'group' | 'supergroup';
}

export interface FakeUser {
  readonly id: number;
  readonly username?: string;
}

interface Waiter {
  readonly offset: number;
  readonly limit: number;
  readonly respond: (status: number, body: unknown) => void;
}

/** Answers held back (FakeBotApi.hold). */
export interface HeldCalls {
  /** Calls held so far (each recorded on arrival, answered on release). */
  readonly held: number;
  /** Answers every held call and stops holding. */
  release(): void;
}

interface Hold {
  readonly match: (call: BotApiCall) => boolean;
  readonly gate: Promise<void>;
  released: boolean;
  held: number;
  open(): void;
}

interface SentMessage {
  readonly message_id: number;
  readonly chat: { id: number | string; type: string };
  readonly date: number;
  readonly text?: string;
}

export interface FakeBotApiOptions {
  readonly token: string;
  readonly username?: string;
}

export class FakeBotApi {
  readonly calls: BotApiCall[] = [];
  /** Called with each call as it is recorded (timestamps for the benchmark). */
  onCall: ((call: BotApiCall) => void) | undefined;
  private readonly updates: Record<string, unknown>[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private waiter: Waiter | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly sent = new Map<number, SentMessage>();
  /** chat id → sendMessage calls still to fail, and how. */
  private readonly sendFailures = new Map<string, { times: number; retryAfter?: number }>();
  private readonly holds: Hold[] = [];
  /** method → calls still to answer with a plain-text HTTP error, not the Bot API's JSON. */
  private readonly plainFailures = new Map<string, { times: number; status: number; text: string }>();

  private constructor(
    private readonly server: http.Server,
    private readonly options: FakeBotApiOptions,
    /** The `apiRoot` to give the bot: `http://127.0.0.1:<port>`. */
    readonly url: string,
  ) {}

  static async start(options: FakeBotApiOptions): Promise<FakeBotApi> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const api = new FakeBotApi(server, options, `http://127.0.0.1:${port}`);
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      void api.handle(request, response);
    });
    return api;
  }

  /** A user writes `text` in `chat`; returns the queued update. */
  userMessage(chat: FakeChat, from: FakeUser, text: string): Record<string, unknown> {
    const message = {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chat.id, type: chat.type ?? 'private' },
      from: {
        id: from.id,
        is_bot: false,
        first_name: from.username ?? `user${from.id}`,
        username: from.username,
      },
      text,
      ...(text.startsWith('/')
        ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }] }
        : {}),
    };
    return this.queue({ message });
  }

  /** A user taps an inline button with `data` under a message the bot sent (or a made-up one). */
  pressButton(chat: FakeChat, from: FakeUser, data: string, messageId?: number): Record<string, unknown> {
    const message = (messageId !== undefined ? this.sent.get(messageId) : undefined) ?? {
      message_id: messageId ?? this.nextMessageId++,
      chat: { id: chat.id, type: chat.type ?? 'private' },
      date: Math.floor(Date.now() / 1000),
    };
    const callback_query = {
      id: `cq${this.nextUpdateId}`,
      from: {
        id: from.id,
        is_bot: false,
        first_name: from.username ?? `user${from.id}`,
        username: from.username,
      },
      chat_instance: String(chat.id),
      message,
      data,
    };
    return this.queue({ callback_query });
  }

  /** The next `times` sendMessage calls to `chatId` fail with 502, as Telegram does at times. */
  failSends(chatId: number | string, times: number): void {
    this.sendFailures.set(String(chatId), { times });
  }

  /**
   * The next `times` sendMessage calls to `chatId` are refused with 429 and
   * `parameters.retry_after: seconds`, as Telegram's flood control does.
   */
  rateLimitSends(chatId: number | string, times: number, seconds: number): void {
    this.sendFailures.set(String(chatId), { times, retryAfter: seconds });
  }

  /**
   * The next `times` calls of `method` are answered with HTTP `status` and `text` as text/plain, as
   * a proxy in front of the Bot API does (not the Bot API's `{ ok: false, ... }`).
   */
  failPlain(method: string, times: number, status: number, text: string): void {
    this.plainFailures.set(method, { times, status, text });
  }

  /** An outage: stops listening (open connections are cut); `resume` listens again on the same port. */
  async pause(): Promise<void> {
    this.waiter?.respond(200, { ok: true, result: [] });
    this.waiter = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async resume(): Promise<void> {
    const port = Number(new URL(this.url).port);
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  /**
   * From now on, calls `match` accepts are recorded when they arrive but answered only on
   * `release()`: a slow chart upload for one chat, say, without a timer.
   */
  hold(match: (call: BotApiCall) => boolean): HeldCalls {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const hold: Hold = { match, gate, released: false, held: 0, open };
    this.holds.push(hold);
    return {
      get held() {
        return hold.held;
      },
      release: () => {
        hold.released = true;
        this.holds.splice(this.holds.indexOf(hold), 1);
        hold.open();
      },
    };
  }

  callsOf(method: string): BotApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves with the first recorded call (past or future) `match` accepts; rejects after `timeoutMs`. */
  async waitForCall(
    match: (call: BotApiCall) => boolean,
    description: string,
    timeoutMs = 10_000,
  ): Promise<BotApiCall> {
    const found = (): BotApiCall | undefined => this.calls.find(match);
    const already = found();
    if (already) return already;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const call = found();
        if (!call) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`fake Bot API: no ${description} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  /** Updates queued and not yet confirmed by a later offset. */
  get pendingUpdates(): number {
    return this.updates.length;
  }

  async close(): Promise<void> {
    for (const hold of this.holds.splice(0)) hold.open();
    this.waiter?.respond(200, { ok: true, result: [] });
    this.waiter = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private queue(payload: Record<string, unknown>): Record<string, unknown> {
    const update = { update_id: this.nextUpdateId++, ...payload };
    this.updates.push(update);
    const waiter = this.waiter;
    if (waiter) {
      const ready = this.deliverable(waiter.offset, waiter.limit);
      if (ready.length > 0) {
        this.waiter = undefined;
        waiter.respond(200, { ok: true, result: ready });
      }
    }
    return update;
  }

  /** Confirms (drops) updates below `offset` and returns those left, at most `limit`. */
  private deliverable(offset: number, limit: number): Record<string, unknown>[] {
    while (this.updates.length > 0 && (this.updates[0]!.update_id as number) < offset) this.updates.shift();
    return this.updates.slice(0, limit);
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const respond = (status: number, body: unknown): void => {
      if (response.writableEnded || response.destroyed) return;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://fake');
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let parsed: { params: Record<string, string>; files: Record<string, FakeFile> };
    try {
      parsed = await parseBody(url, request.headers['content-type'], Buffer.concat(chunks));
    } catch (error) {
      return respond(400, {
        ok: false,
        error_code: 400,
        description: `Bad Request: ${(error as Error).message}`,
      });
    }
    const call: BotApiCall = {
      method: match?.[2] ?? url.pathname,
      authorized: match?.[1] === this.options.token,
      ...parsed,
      contentType,
      at: performance.now(),
    };
    this.calls.push(call);
    this.onCall?.(call);
    for (const listener of [...this.listeners]) listener();
    const hold = this.holds.find((one) => one.match(call));
    if (hold) {
      hold.held++;
      await hold.gate;
    }
    if (!match) return respond(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (!call.authorized) return respond(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const plain = this.plainFailures.get(call.method);
    if (plain && plain.times > 0) {
      plain.times -= 1;
      response.writeHead(plain.status, { 'content-type': 'text/plain' });
      response.end(plain.text);
      return;
    }
    this.answer(call, request, respond);
  }

  private answer(
    call: BotApiCall,
    request: http.IncomingMessage,
    respond: (status: number, body: unknown) => void,
  ): void {
    const { params } = call;
    const ok = (result: unknown): void => respond(200, { ok: true, result });
    const badRequest = (description: string): void =>
      respond(400, { ok: false, error_code: 400, description: `Bad Request: ${description}` });
    switch (call.method) {
      case 'getMe':
        return ok({
          id: Number(this.options.token.split(':')[0]),
          is_bot: true,
          first_name: 'busbar',
          username: this.options.username ?? 'busbar_test_bot',
        });
      case 'getUpdates': {
        const offset = Number(params.offset ?? 0);
        const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
        const timeout = Math.max(0, Number(params.timeout ?? 0));
        const ready = this.deliverable(offset, limit);
        if (ready.length > 0 || timeout === 0) return ok(ready);
        // Telegram allows one poll at a time: a newer one ends the waiting one with a conflict.
        this.waiter?.respond(409, {
          ok: false,
          error_code: 409,
          description: 'Conflict: terminated by other getUpdates request',
        });
        const timer = setTimeout(() => {
          if (this.waiter === waiter) this.waiter = undefined;
          ok([]);
        }, timeout * 1000);
        const waiter: Waiter = {
          offset,
          limit,
          respond: (status, body) => {
            clearTimeout(timer);
            respond(status, body);
          },
        };
        this.waiter = waiter;
        request.socket.once('close', () => {
          clearTimeout(timer);
          if (this.waiter === waiter) this.waiter = undefined;
        });
        return;
      }
      case 'sendMessage': {
        if (params.chat_id === undefined) return badRequest('chat_id is empty');
        if (!params.text) return badRequest('message text is empty');
        const failure = this.sendFailures.get(String(params.chat_id));
        if (failure && failure.times > 0) {
          failure.times -= 1;
          if (failure.retryAfter === undefined) {
            return respond(502, { ok: false, error_code: 502, description: 'Bad Gateway' });
          }
          return respond(429, {
            ok: false,
            error_code: 429,
            description: `Too Many Requests: retry after ${failure.retryAfter}`,
            parameters: { retry_after: failure.retryAfter },
          });
        }
        return ok(this.remember(params.chat_id, { text: params.text }));
      }
      case 'sendPhoto': {
        if (params.chat_id === undefined) return badRequest('chat_id is empty');
        const photo = call.files.photo;
        if (!photo && !params.photo) return badRequest('there is no photo in the request');
        return ok(
          this.remember(params.chat_id, {
            photo: [
              {
                file_id: `photo${this.nextMessageId}`,
                file_unique_id: `u${this.nextMessageId}`,
                width: 0,
                height: 0,
              },
            ],
            ...(params.caption ? { caption: params.caption } : {}),
          }),
        );
      }
      case 'answerCallbackQuery':
        if (!params.callback_query_id) return badRequest('query id is empty');
        return ok(true);
      case 'editMessageReplyMarkup':
        return ok(true);
      default:
        return respond(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  private remember(chatId: string, fields: Record<string, unknown>): SentMessage & Record<string, unknown> {
    const id = Number(chatId);
    const message = {
      message_id: this.nextMessageId++,
      chat: { id: Number.isFinite(id) ? id : chatId, type: 'private' },
      date: Math.floor(Date.now() / 1000),
      ...fields,
    };
    this.sent.set(message.message_id, message);
    return message;
  }
}

/** Parameters from the query string and the body, whichever encoding Telegram accepts. */
async function parseBody(
  url: URL,
  contentType: string | undefined,
  body: Buffer,
): Promise<{ params: Record<string, string>; files: Record<string, FakeFile> }> {
  const params: Record<string, string> = Object.fromEntries(url.searchParams);
  const files: Record<string, FakeFile> = {};
  const type = (contentType ?? '').toLowerCase();
  if (body.length === 0) return { params, files };
  if (type.startsWith('application/json')) {
    const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(json)) {
      params[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return { params, files };
  }
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    // The WHATWG body parser (undici) reads both encodings the way browsers write them.
    const form = await new Request('http://fake/', {
      method: 'POST',
      headers: { 'content-type': contentType! },
      body,
    }).formData();
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') params[key] = value;
      else {
        files[key] = {
          filename: value.name,
          contentType: value.type,
          bytes: Buffer.from(await value.arrayBuffer()),
        };
      }
    }
    return { params, files };
  }
  throw new Error(`unsupported content type ${contentType}`);
}
