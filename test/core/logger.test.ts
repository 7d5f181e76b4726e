import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../core/runtime/logger.js';
import { captureLog } from '../helpers/log-capture.js';

describe('logging', () => {
  it('redacts passwords and tokens at any depth it is given', () => {
    const log = captureLog('info');
    log.logger.info(
      {
        password: 'p1-secret',
        token: 't1-secret',
        config: { bus: { remote: { password: 'p2-secret' } } },
        listener: { tls: { password: 'p3-secret' } },
        headers: { authorization: 'Bearer t2-secret' },
      },
      'connecting',
    );
    log.logger.child({ component: 'x' }).warn({ user: { name: 'a', token: 't3-secret' } }, 'child line');
    expect(log.text()).not.toMatch(/secret/);
    expect(log.lines[0]).toMatchObject({ password: '[redacted]', msg: 'connecting' });
    expect(log.lines[1]).toMatchObject({ component: 'x', user: { name: 'a', token: '[redacted]' } });
  });

  it('removes credentials from URLs', () => {
    expect(redactUrl('mqtts://busbar:hunter22@broker.example:8883/')).toBe(
      'mqtts://busbar:***@broker.example:8883/',
    );
    expect(redactUrl('not a url user:pw@host')).not.toContain('pw@');
  });
});
