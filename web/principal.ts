/**
 * Who a request to the web console is from: what authentication (auth.ts) finds and sessions
 * (sessions.ts) remember.
 */
import type { WebRole } from './config.js';

export interface Principal {
  /** `user:<name>`, `token:<name>` or `anonymous`. */
  readonly name: string;
  readonly role: WebRole;
  /**
   * The username broker.acl rules see: the broker user's, `token:<name>` for a token (only `*` rules
   * match it), undefined for anonymous requests (`$anonymous` rules).
   */
  readonly aclUser: string | undefined;
}
