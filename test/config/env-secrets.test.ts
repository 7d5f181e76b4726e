/**
 * A whole `${NAME}` holding digits becomes a number (`port: ${MQTT_PORT}`), but where a string is
 * expected, a secret such as `123456` stays the string it was, leading zeros included.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config/load.js';

describe('numeric values through ${ENV}', () => {
  it('accepts digits as a password, a token and a username, as written', () => {
    const config = parseConfig(
      {
        broker: { enabled: false, listeners: [{ type: 'tcp', port: '${MQTT_PORT}' }] },
        bus: { remote: { url: 'mqtt://x', username: '${MQTT_USER}', password: '${MQTT_PASS}' } },
        web: { tokens: [{ name: 'ci', token: '${WEB_TOKEN}' }] },
        notifiers: {
          services: {
            email: {
              ops: {
                host: 'smtp.example.org',
                username: 'ops',
                password: '${SMTP_PASS}',
                from: 'busbar@example.org',
                to: ['ops@example.org'],
              },
            },
          },
        },
      },
      {
        env: {
          MQTT_PORT: '1999',
          MQTT_USER: '42',
          MQTT_PASS: '0123456',
          WEB_TOKEN: '1234567890123456789',
          SMTP_PASS: '123456',
        },
      },
    );
    expect(config.broker.listeners[0]?.port).toBe(1999);
    expect(config.bus.remote?.username).toBe('42');
    expect(config.bus.remote?.password).toBe('0123456');
    expect(config.web.tokens[0]?.token).toBe('1234567890123456789');
    expect(config.notifiers.services.email.ops?.password).toBe('123456');
  });

  it('still refuses a word where a number is expected, naming the path', () => {
    let problems: readonly { path: string; message: string }[] = [];
    try {
      parseConfig(
        { broker: { listeners: [{ type: 'tcp', port: '${MQTT_PORT}' }] } },
        { env: { MQTT_PORT: 'abc' } },
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems.map((p) => p.path)).toContain('broker.listeners[0].port');
  });
});
