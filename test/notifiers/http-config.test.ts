/**
 * HTTP targets and presets are checked when the config is read, each problem named by its path:
 * an unknown template value, a body that does not fit its encoding, a preset's missing or malformed
 * option. A preset expands to the HTTP target it stands for. (The examples of
 * docs/notifications.md are loaded by docs-notifications.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config/load.js';

function problems(services: Record<string, unknown>): string[] {
  try {
    parseConfig({ notifiers: { services } });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  return [];
}

describe('http and preset targets in the config', () => {
  it('names each problem with its path', () => {
    expect(
      problems({
        http: {
          typo: { url: 'https://example.org/{topik}', body: { text: '{titel}' } },
          form: { url: 'https://example.org', encoding: 'form', body: { nested: { a: 1 } } },
          text: { url: 'https://example.org', encoding: 'text', body: { a: 'b' } },
          ftp: { url: 'ftp://example.org' },
          get: { url: 'https://example.org', method: 'GET', body: { a: '{title}' } },
          spaced: { url: 'https://exa mple.org/{key}' },
        },
        ntfy: { phone: { url: 'https://ntfy.example.org' }, bad: { topic: 'has spaces' } },
        matrix: { ops: { url: 'https://matrix.example.org', room: '#alias:example.org', token: 'x' } },
        pagerduty: { oncall: { routingKey: '' } },
      }),
    ).toEqual([
      expect.stringMatching(
        /^notifiers\.services\.http\.typo\.url: unknown value "\{topik\}" \(use \{title\}/,
      ),
      expect.stringMatching(/^notifiers\.services\.http\.typo\.body\.text: unknown value "\{titel\}"/),
      'notifiers.services.http.form.body: a form body is one level of fields: no nested objects or arrays',
      'notifiers.services.http.text.body: with `encoding: text` the body is a string',
      'notifiers.services.http.ftp.url: an http:// or https:// URL',
      'notifiers.services.http.get.body: a GET request has no body',
      'notifiers.services.http.spaced.url: an http:// or https:// URL',
      expect.stringMatching(/^notifiers\.services\.ntfy\.phone\.topic: /),
      expect.stringMatching(/^notifiers\.services\.ntfy\.bad\.topic: letters, digits/),
      expect.stringMatching(/^notifiers\.services\.matrix\.ops\.room: a room id/),
      expect.stringMatching(/^notifiers\.services\.pagerduty\.oncall\.routingKey: /),
    ]);
  });

  it('expands a preset to the HTTP target it stands for, secrets from the environment', () => {
    const config = parseConfig(
      {
        notifiers: {
          services: {
            opsgenie: { oncall: { apiKey: '${OPSGENIE_KEY}', url: 'https://api.eu.opsgenie.com/' } },
          },
        },
      },
      { env: { OPSGENIE_KEY: 'eb243592-faa2-4ba2-a551q-1afdf565c889' } },
    );
    expect(config.notifiers.services.opsgenie.oncall).toMatchObject({
      method: 'POST',
      url: 'https://api.eu.opsgenie.com/v2/alerts',
      headers: { Authorization: 'GenieKey eb243592-faa2-4ba2-a551q-1afdf565c889' },
      encoding: 'json',
      resolved: { url: 'https://api.eu.opsgenie.com/v2/alerts/{key}/close?identifierType=alias' },
      levels: { critical: 'P1', warning: 'P3', info: 'P5' },
    });
  });

  it('a route may name a preset target, and not one that is missing', () => {
    const route = (targets: string[]) => ({ name: 'r', topic: 'busbar/notify/#', targets });
    const services = { slack: { ops: { url: 'https://hooks.slack.com/services/T0/B0/X0' } } };
    expect(() => parseConfig({ notifiers: { services, routes: [route(['slack:ops'])] } })).not.toThrow();
    expect(() => parseConfig({ notifiers: { services, routes: [route(['slack:dev'])] } })).toThrow(
      /no target "dev" under notifiers\.services\.slack/,
    );
  });
});
