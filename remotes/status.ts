/**
 * The bridge's state, retained on `<base>/status/bridge/<name>` so a dashboard or an alarm rule that
 * subscribes later still sees it: published at once when the connection comes or goes, and every
 * `statusInterval` when a counter changed (a busy bridge would otherwise publish per message), by
 * the publisher every component's statistics use (core/runtime/stats-publisher.ts).
 */

export interface BridgeStatus {
  readonly connected: boolean;
  /** The remote address connected to, or last tried. */
  readonly address: string;
  /** When `connected` last changed (ISO 8601). */
  readonly since: string;
  /** Messages waiting for the remote. */
  readonly queued: number;
  /** Messages dropped because the queue was full. */
  readonly dropped: number;
  /** Messages the remote has (QoS 1: acknowledged), since busbar started. */
  readonly sent: number;
  /** QoS 0 messages lost with a connection, and messages the remote refused. */
  readonly lost: number;
  /** Messages brought in from the remote. */
  readonly received: number;
  /** Messages not sent back because they had just come over this bridge (loop prevention). */
  readonly echoes: number;
}
