/**
 * Plain accumulators of finished requests, one per API: what the request path updates (a few array increments, no
 * allocation, no hashing of label sets), turned into Prometheus samples only when scraped.
 */
import type { CompletedRequest } from '../observer.js';

/** Latency buckets for a proxy, in seconds: 1 ms to 10 s. */
export const DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** `status_class` label values by `status / 100`; `none` when the connection closed before a status was sent. */
export const STATUS_CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** One Prometheus sample, in the shape prom-client's registry formats. */
export interface SampleValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/** A latency histogram: per-bucket counts (the last one is +Inf) and the sum, in seconds. */
export class DurationStats {
  readonly counts = new Float64Array(DURATION_BUCKETS.length + 1);
  sum = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
  }

  /** The `_bucket` (cumulative), `_sum` and `_count` samples of `name`; none when nothing was observed. */
  samples(name: string, labels: Record<string, string>, out: SampleValue[]): void {
    let cumulative = 0;
    const buckets: SampleValue[] = [];
    this.counts.forEach((count, i) => {
      cumulative += count;
      const le = i < DURATION_BUCKETS.length ? DURATION_BUCKETS[i]! : '+Inf';
      buckets.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
    });
    if (cumulative === 0) return;
    out.push(...buckets);
    out.push({ metricName: `${name}_sum`, labels, value: this.sum });
    out.push({ metricName: `${name}_count`, labels, value: cumulative });
  }
}

/** What happened to the requests of one API (`api` is `''` for requests no API matched). */
export class ApiRequestStats {
  /** By status class, requests without an error key. */
  readonly requests = new Float64Array(STATUS_CLASSES.length);
  /** By error key, then status class. */
  readonly errors = new Map<string, Float64Array>();
  /** By error key, failures of requests that had reached an endpoint. */
  readonly upstreamErrors = new Map<string, number>();
  aborted = 0;
  readonly duration = new DurationStats();
  readonly endpointDuration = new DurationStats();
  /** Scrapes seen while the API was not deployed (the node metrics drop it at the second). */
  undeployedScrapes = 0;

  constructor(readonly api: string) {}

  record(request: CompletedRequest): void {
    const status = request.status;
    const statusClass = status >= 100 && status < 600 ? (status / 100) | 0 : 0;
    const errorKey = request.errorKey;
    if (errorKey === undefined) this.requests[statusClass]!++;
    else this.#recordError(statusClass, errorKey, request.endpoint !== undefined);
    this.duration.observe(request.durationMs / 1000);
    if (request.endpointDurationMs >= 0) this.endpointDuration.observe(request.endpointDurationMs / 1000);
    if (request.aborted) this.aborted++;
  }

  /** The error path: a request the gateway answered itself; an upstream error when an endpoint was involved. */
  #recordError(statusClass: number, errorKey: string, calledEndpoint: boolean): void {
    let byClass = this.errors.get(errorKey);
    if (byClass === undefined) {
      byClass = new Float64Array(STATUS_CLASSES.length);
      this.errors.set(errorKey, byClass);
    }
    byClass[statusClass]!++;
    if (calledEndpoint) this.upstreamErrors.set(errorKey, (this.upstreamErrors.get(errorKey) ?? 0) + 1);
  }

  /** Samples of `apim_gateway_requests_total{api, status_class, error_key}`. */
  requestSamples(out: SampleValue[]): void {
    const add = (byClass: Float64Array, errorKey: string) => {
      byClass.forEach((value, i) => {
        if (value > 0)
          out.push({ labels: { api: this.api, status_class: STATUS_CLASSES[i]!, error_key: errorKey }, value });
      });
    };
    add(this.requests, '');
    for (const [key, byClass] of this.errors) add(byClass, key);
  }
}
