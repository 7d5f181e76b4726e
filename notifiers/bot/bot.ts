/**
 * The Telegram bot: long polling through node-telegram-bot-api, one middleware that queues each update
 * behind the earlier ones of its chat (chat-queue.ts: chats are answered concurrently, each in order),
 * checks access (allow-list, pairing) and hands each message to its command and each button tap to
 * buttons.ts. Nothing that carries the token (it is in every Bot API URL) reaches the log unredacted.
 */
import { Bot, type Context } from 'node-telegram-bot-api';
import { SilenceRequestError } from '../../alarms/silence-client.js';
import type { Bus } from '../../core/bus/bus.js';
import type { Logger } from '../../core/runtime/logger.js';
import type { Topics } from '../../core/topics.js';
import type { HistoryReadTarget } from '../../history/config.js';
import { AccessControl } from './access.js';
import { handleButton } from './buttons.js';
import { ChatQueue, MAX_PENDING_UPDATES } from './chat-queue.js';
import { commands } from './commands/index.js';
import { HELP_TEXT } from './commands/help.js';
import { groupsPathFor, type BotConfig } from './config.js';
import type { CommandContext } from './context.js';
import { BotData, HistoryUnavailableError } from './data.js';
import { escapeHtml } from './format.js';
import { NotifiedGroups } from './groups.js';
import { PairedChats } from './paired-chats.js';
import { PairingCodes, type PairingCode } from './pairing.js';
import { COMMANDS, parseCommand } from './parse.js';
import { botApiFetch } from './api-fetch.js';
import { describeError } from './redact.js';
import { sendHtml, sendPng } from './send.js';
import { suggest } from './suggest.js';

/** After polling fails for good (a revoked token), try again after this long. */
export const POLL_RESTART_MS = 30_000;

export interface TelegramBotOptions {
  readonly config: BotConfig;
  readonly bus: Bus;
  readonly topics: Topics;
  readonly log: Logger;
  /** Where GRAPH, STATUS and the Graph button read history from (`history.read`). */
  readonly history: HistoryReadTarget;
  /** The web console's address as people reach it, for links (notifiers.externalUrl). */
  readonly externalUrl?: string | undefined;
}

export class TelegramBot {
  private readonly bot: Bot;
  private readonly token: string;
  private readonly data: BotData;
  private readonly access: AccessControl;
  private readonly paired: PairedChats;
  private readonly pairing: PairingCodes | undefined;
  private readonly log: Logger;
  private readonly updates: ChatQueue;
  private readonly stopping = new AbortController();
  private polling: Promise<void> | undefined;
  private pairingTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TelegramBotOptions) {
    const { config, bus, topics, history } = options;
    this.log = options.log;
    this.token = config.token ?? '';
    this.bot = new Bot(this.token, { apiRoot: config.apiRoot, fetch: botApiFetch });
    this.data = new BotData(
      bus,
      topics,
      history,
      new NotifiedGroups(groupsPathFor(config.statePath), this.log),
    );
    this.paired = new PairedChats(config.statePath);
    if (this.paired.damaged !== undefined) {
      // Access is never widened by a damaged file: only the allow-list is answered meanwhile.
      this.log.error(
        { path: config.statePath, reason: this.paired.damaged, keptAs: this.paired.damagedCopy },
        'telegram paired chats unreadable: answering the allow-list only; the next pairing starts a new list and keeps this file aside',
      );
    }
    this.access = new AccessControl(config.allow, this.paired);
    this.pairing = config.pairing
      ? new PairingCodes(config.pairingTtl, (code, reason) => this.announce(code, reason))
      : undefined;
    this.updates = new ChatQueue(MAX_PENDING_UPDATES, (error) => this.failed(error, undefined));
    this.bot.use((ctx) => this.dispatch(ctx));
    this.bot.catch((error, ctx) => this.failed(error, ctx));
  }

  async start(): Promise<void> {
    await this.data.start();
    this.pairing?.start();
    if (this.pairing) {
      this.pairingTimer = setInterval(() => this.pairing?.expireIfDue(), 60_000);
      this.pairingTimer.unref();
    }
    this.polling = this.poll();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.pairingTimer);
    this.bot.stop();
    await this.polling;
    // Updates already taken are answered before the data they read goes.
    await this.updates.drain();
    await this.data.stop();
  }

  /** The pairing code in force (as printed in the log). */
  get pairingCode(): PairingCode | undefined {
    return this.pairing?.code;
  }

  private announce(code: PairingCode, reason: string): void {
    const expires = new Date(code.expiresAt).toISOString();
    this.log.info(
      { expiresAt: expires, reason },
      `telegram pairing code ${code.code}: send "/start ${code.code}" to the bot from the chat to add (one use, until ${expires})`,
    );
  }

  private async poll(): Promise<void> {
    const timeout = Math.round(this.options.config.pollTimeout / 1000);
    while (!this.stopping.signal.aborted) {
      try {
        const me = await this.bot.api.getMe(this.stopping.signal);
        // stop() may have run while getMe was on its way: polling started now would never end.
        if (this.stopping.signal.aborted) return;
        this.log.info(
          { bot: me.username, chats: this.options.config.allow.chats.length + this.paired.list().length },
          'telegram bot polling',
        );
        await this.bot.startPolling(undefined, {
          timeout,
          allowedUpdates: ['message', 'callback_query'],
          onError: (error) =>
            this.log.warn({ err: describeError(error, this.token) }, 'telegram poll failed; retrying'),
        });
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        this.log.error(
          { err: describeError(error, this.token), retryInMs: POLL_RESTART_MS },
          'telegram bot stopped polling',
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_RESTART_MS);
          this.stopping.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
      }
    }
  }

  private commandContext(ctx: Context, chat: number): CommandContext {
    const from = ctx.from;
    return {
      data: this.data,
      paired: this.paired,
      bus: this.options.bus,
      topics: this.options.topics,
      log: this.log,
      now: Date.now(),
      chat,
      user: from ? { id: from.id, username: from.username } : undefined,
      reply: (html) => sendHtml(ctx.api, chat, html),
      replyPhoto: async (png, caption, fallback) => {
        try {
          await sendPng(ctx.api, chat, png, caption);
        } catch (error) {
          const reason = describeError(error, this.token);
          this.log.warn({ chat, err: reason }, 'telegram chart not sent; sending it as text');
          await sendHtml(
            ctx.api,
            chat,
            `⚠️ The chart could not be sent (${escapeHtml(reason)}). As text:\n${caption}\n${fallback}`,
          );
        }
      },
      externalUrl: this.options.externalUrl,
    };
  }

  /** Queues the update behind its chat's earlier ones; resolves once queued, not once handled. */
  private dispatch(ctx: Context): Promise<void> {
    const chat = ctx.chat ?? ctx.callbackQuery?.message?.chat;
    return this.updates.push(chat?.id, async () => {
      try {
        await this.handle(ctx);
      } catch (error) {
        this.failed(error, ctx);
      }
    });
  }

  /** One update failed: logged (without the token), the others go on. */
  private failed(error: unknown, ctx: Context | undefined): void {
    this.log.error(
      { update: ctx?.update.update_id, err: describeError(error, this.token) },
      'telegram update failed',
    );
  }

  private async handle(ctx: Context): Promise<void> {
    const chat = ctx.chat ?? ctx.callbackQuery?.message?.chat;
    const text = ctx.message?.text;
    const query = ctx.callbackQuery;
    if (!chat || (text === undefined && !query)) return;
    const parsed = text === undefined ? undefined : parseCommand(text);
    const user = ctx.from?.id;
    if (!this.access.allows(chat, user)) {
      if (parsed?.name === 'start' && this.pairing && parsed.args[0] !== undefined) {
        await this.pair(ctx, chat.id, parsed.args[0]);
        return;
      }
      // A group where the bot reads everything: chatter is not addressed to it, only commands are.
      const addressed =
        query !== undefined ||
        chat.type === 'private' ||
        parsed?.slash === true ||
        parsed?.name !== undefined;
      if (!addressed) return;
      this.log.warn(
        {
          chat: chat.id,
          chatType: chat.type,
          user,
          username: ctx.from?.username,
          button: query !== undefined,
        },
        'telegram: refused a chat that is not allowed',
      );
      if (query) await ctx.answerCallbackQuery({ text: 'This chat may not use busbar.' });
      else await sendHtml(ctx.api, chat.id, `This chat (id ${chat.id}) may not use busbar.`);
      return;
    }
    const context = this.commandContext(ctx, chat.id);
    if (query) {
      const answer = await this.guard(context, () => handleButton(context, query.data));
      await ctx.answerCallbackQuery({ text: answer ?? 'That did not work.' });
      return;
    }
    if (!parsed) return;
    if (parsed.name === 'start') return void (await context.reply(HELP_TEXT));
    if (parsed.name === undefined) {
      // In a group, plain chatter is not for the bot; a slash command or a private chat is.
      if (!parsed.slash && chat.type !== 'private') return;
      const close = suggest(
        parsed.word,
        COMMANDS.filter((name) => name !== 'start'),
      );
      const hint =
        close.length > 0
          ? ` Did you mean ${close.map((name) => `<code>${name.toUpperCase()}</code>`).join(', ')}?`
          : '';
      await context.reply(
        `Unknown command <code>${escapeHtml(parsed.word)}</code>.${hint} Send HELP for the list.`,
      );
      return;
    }
    const command = commands[parsed.name];
    await this.guard(context, () => command(context, parsed.args));
  }

  /** Runs a command; an expected failure is answered in the chat, anything else logged too. */
  private async guard<T>(context: CommandContext, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      const known = error instanceof HistoryUnavailableError || error instanceof SilenceRequestError;
      const message = describeError(error, this.token);
      if (!known) this.log.error({ chat: context.chat, err: message }, 'telegram command failed');
      await context
        .reply(`⚠️ ${escapeHtml(known ? (error as Error).message : `That failed: ${message}`)}`)
        .catch(() => undefined);
      return undefined;
    }
  }

  private async pair(ctx: Context, chat: number, code: string): Promise<void> {
    const result = this.pairing!.use(code);
    const from = ctx.from;
    if (result !== 'paired') {
      this.log.warn({ chat, user: from?.id, username: from?.username, result }, 'telegram: pairing refused');
      await sendHtml(
        ctx.api,
        chat,
        result === 'expired' ? 'That pairing code has expired.' : 'That pairing code is not valid.',
      );
      return;
    }
    this.paired.add({
      id: chat,
      pairedAt: new Date().toISOString(),
      ...(from ? { user: from.id } : {}),
      ...(from?.username !== undefined ? { username: from.username } : {}),
    });
    this.log.info({ chat, user: from?.id, username: from?.username }, 'telegram chat paired');
    await sendHtml(ctx.api, chat, `✅ Paired: this chat may now use busbar.\n\n${HELP_TEXT}`);
  }
}
