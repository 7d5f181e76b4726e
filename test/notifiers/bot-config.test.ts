/** The `notifiers.bot` and `notifiers.services.telegram` config: defaults, and errors that say what to fix. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config/load.js';

const TOKEN = '123456:ABC-def_ghi';

function problems(notifiers: unknown): string[] {
  try {
    parseConfig({ notifiers });
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('bot config', () => {
  it('is off by default, with its defaults in one place', () => {
    const bot = parseConfig({}).notifiers.bot;
    expect(bot).toEqual({
      enabled: false,
      apiRoot: 'https://api.telegram.org',
      allow: { chats: [], users: [] },
      pairing: true,
      pairingTtl: 3_600_000,
      statePath: 'data/telegram.json',
      pollTimeout: 30_000,
    });
  });

  it('names each mistake with its path', () => {
    expect(problems({ enabled: true, bot: { enabled: true } })).toEqual([
      'notifiers.bot.token: the bot needs a `token` when enabled (from BotFather)',
    ]);
    expect(problems({ bot: { enabled: true, token: TOKEN } })).toEqual([
      'notifiers.bot.enabled: the bot runs inside the notifiers: set notifiers.enabled: true too',
    ]);
    expect(
      problems({ bot: { token: 'not a token', allow: { chats: ['general'] }, pollTimeout: '2m', chat: 1 } }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^notifiers\.bot\.token: a bot token from BotFather/),
        expect.stringMatching(/^notifiers\.bot\.allow\.chats\[0\]: /),
        expect.stringMatching(/^notifiers\.bot\.pollTimeout: between 1s and 50s/),
        'notifiers.bot.chat: unknown key',
      ]),
    );
  });

  it('gives a telegram target the bot token when it has none, and says when there is none at all', () => {
    const config = parseConfig({
      notifiers: {
        enabled: true,
        bot: { token: TOKEN },
        services: {
          telegram: { ops: { chats: [-100123, '@busbar_alerts'] }, own: { chats: [1], token: '9:other' } },
        },
        routes: [{ name: 'all', topic: 'busbar/alarms/#', targets: ['telegram:ops', 'telegram:own'] }],
      },
    });
    expect(config.notifiers.services.telegram.ops).toMatchObject({
      token: TOKEN,
      apiRoot: 'https://api.telegram.org',
      buttons: false,
    });
    expect(config.notifiers.services.telegram.own?.token).toBe('9:other');
    // Buttons only when this busbar runs the bot that answers them.
    const botOn = parseConfig({
      notifiers: {
        enabled: true,
        bot: { enabled: true, token: TOKEN },
        services: { telegram: { ops: { chats: [1] } } },
      },
    });
    expect(botOn.notifiers.services.telegram.ops?.buttons).toBe(true);
    expect(problems({ services: { telegram: { ops: { chats: [1] } } } })).toEqual([
      'notifiers.services.telegram.ops.token: no `token` here and none under notifiers.bot.token to default to',
    ]);
    expect(problems({ services: { telegram: { ops: { token: TOKEN, chats: [] } } } })).toEqual([
      expect.stringMatching(/^notifiers\.services\.telegram\.ops\.chats: /),
    ]);
  });
});
