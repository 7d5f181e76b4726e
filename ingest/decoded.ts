import type { Metric } from '../core/codecs/metric.js';

/** Why a payload (or part of it) was refused; `reason` is safe as a topic level. */
export interface Rejection {
  /** `line-protocol`, `json`, `value`, `type`, `timestamp`, `topic`, `empty` */
  readonly reason: string;
  readonly detail: string;
}

/** What ingest makes of one MQTT message: the metrics it holds and what in it was refused. */
export interface Decoded {
  readonly source: string;
  readonly metrics: Metric[];
  readonly rejections: Rejection[];
  /** The payload had no timestamp at the rule's `timestampPath`: dated with the receive time. */
  readonly timestampFallback?: boolean;
}
