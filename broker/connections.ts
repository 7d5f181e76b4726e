/**
 * What the broker knows about each connection beyond what Aedes keeps: where it came in, from
 * where, and, once logged in, who it is and what it may do. Keyed by the Aedes client object, so an
 * entry goes away with its connection.
 */
import type { Client } from 'aedes';
import type { ClientAcl } from './acl.js';

export interface ListenerIdentity {
  readonly type: 'tcp' | 'tls' | 'ws';
  readonly host: string;
  readonly port: number;
  readonly allowAnonymous: boolean;
  /** `tcp 127.0.0.1:1883`, for logs. */
  readonly label: string;
}

export interface ConnectionInfo {
  readonly listener: ListenerIdentity;
  readonly remoteAddress: string;
  /** Set by preConnect: CONNECT carried an empty client id without clean session [MQTT-3.1.3-8]. */
  emptyIdWithoutCleanSession: boolean;
  /** Set by preConnect: CONNECT carried an empty client id, so the broker made one up. */
  clientIdGenerated: boolean;
  /** Set at login; undefined for anonymous clients. */
  username: string | undefined;
  /** Set at login when ACL rules exist. */
  acl: ClientAcl | undefined;
}

export type ConnectionRegistry = WeakMap<Client, ConnectionInfo>;
