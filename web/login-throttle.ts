/**
 * The web's login throttle: core/util/login-throttle.ts, with a pile-up of one address's checks
 * answered 429 and `Retry-After`. Behind a reverse proxy, `web.trustedProxies` tells clients'
 * addresses apart.
 */
import {
  LoginThrottle as SharedLoginThrottle,
  type LoginFailure,
  type LoginThrottleOptions,
} from '../core/util/login-throttle.js';
import { HttpError } from './http.js';

export type { LoginFailure, LoginThrottleOptions };

export class LoginThrottle extends SharedLoginThrottle {
  constructor(options: LoginThrottleOptions = {}, onFailure?: (failure: LoginFailure) => void) {
    const busy = (): Error =>
      new HttpError(429, 'too many requests', 'too many logins in progress from this address', {
        'retry-after': '5',
      });
    super({ busy, ...options }, onFailure);
  }
}
