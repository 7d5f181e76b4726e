/** `security: none` with a password sends SMTP AUTH in clear: said once, when the target is made. */
import { describe, expect, it } from 'vitest';
import type { Bus } from '../../core/bus/bus.js';
import { createTopics } from '../../core/topics.js';
import { NO_HISTORY } from '../../history/config.js';
import { emailTargetSchema } from '../../notifiers/services/email/config.js';
import { emailService } from '../../notifiers/services/email/service.js';
import { captureLog, LOG_LEVEL } from '../helpers/log-capture.js';

function targetOn(
  host: string,
  security: 'none' | 'starttls',
  withPassword = true,
): ReturnType<typeof captureLog> {
  const log = captureLog('debug');
  const config = emailTargetSchema.parse({
    host,
    security,
    ...(withPassword ? { username: 'ops', password: 'smtp-secret-5521' } : {}),
    from: 'busbar@example.org',
    to: ['ops@example.org'],
    charts: false,
  });
  const target = emailService.create({
    id: 'email:ops',
    config,
    log: log.logger,
    bus: {} as Bus,
    topics: createTopics('busbar'),
    history: NO_HISTORY,
  });
  void target.close?.();
  return log;
}

describe('email over a plain connection', () => {
  it('warns once when a password would cross the network in clear, never showing it', () => {
    const log = targetOn('smtp.example.org', 'none');
    const warnings = log.find('sent in clear');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: LOG_LEVEL.warn, host: 'smtp.example.org' });
    expect(log.text()).not.toContain('smtp-secret-5521');
  });

  it('says nothing with starttls, without a password, or for a relay on this machine', () => {
    expect(targetOn('smtp.example.org', 'starttls').find('sent in clear')).toHaveLength(0);
    expect(targetOn('smtp.example.org', 'none', false).find('sent in clear')).toHaveLength(0);
    expect(targetOn('127.0.0.1', 'none').find('sent in clear')).toHaveLength(0);
  });
});
