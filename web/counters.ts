/**
 * The web's statistics, published retained on `<base>/stats/web` (and so on `/metrics` as
 * `busbar_web_<name>`): totals since start, except `connections` and `eventStreams`, open now.
 */
export interface WebCounters {
  requests: number;
  /** Answers 500 and above. */
  failed: number;
  unauthorized: number;
  connections: number;
  eventStreams: number;
  /** Connections closed as they arrived: over maxConnections or maxConnectionsPerAddress. */
  connectionsRefused: number;
  /** `/api/events` answered 503: over maxEventStreams or maxEventStreamsPerAddress. */
  eventStreamsRefused: number;
  /** Requests closed with 408: headers or body not in by headersTimeout or requestTimeout. */
  timedOut: number;
  /** Writes with a cookie or browser Basic credentials from a foreign origin (403). */
  foreignOrigin: number;
  /** Wrong passwords (login form, Basic, `u`/`p`). */
  loginFailures: number;
  /** Wrong passwords whose answer was held (login-throttle.ts). */
  loginsDelayed: number;
}

export function createWebCounters(): WebCounters {
  return {
    requests: 0,
    failed: 0,
    unauthorized: 0,
    connections: 0,
    eventStreams: 0,
    connectionsRefused: 0,
    eventStreamsRefused: 0,
    timedOut: 0,
    foreignOrigin: 0,
    loginFailures: 0,
    loginsDelayed: 0,
  };
}
