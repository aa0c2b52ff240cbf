/**
 * Plain accumulators of finished requests, one per API: what the request path updates (a few array increments, no
 * allocation, no hashing of label sets), turned into Prometheus samples only when scraped.
 */
import type { CompletedRequest, RequestObserver } from '../observer.js';

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

  toJSON(): SerializedDuration {
    return { counts: [...this.counts], sum: this.sum };
  }

  /** Adds the counts of another histogram (of another process). */
  add(other: SerializedDuration): void {
    other.counts.forEach((count, i) => {
      if (i < this.counts.length) this.counts[i]! += count;
    });
    this.sum += other.sum;
  }
}

/** A {@link DurationStats} as plain data. */
export interface SerializedDuration {
  counts: number[];
  sum: number;
}

/** An {@link ApiRequestStats} as plain data, for another process to add up (cluster workers to their primary). */
export interface SerializedApiStats {
  api: string;
  requests: number[];
  errors: [string, number[]][];
  upstreamErrors: [string, number][];
  aborted: number;
  duration: SerializedDuration;
  endpointDuration: SerializedDuration;
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

  toJSON(): SerializedApiStats {
    return {
      api: this.api,
      requests: [...this.requests],
      errors: [...this.errors].map(([key, byClass]) => [key, [...byClass]]),
      upstreamErrors: [...this.upstreamErrors],
      aborted: this.aborted,
      duration: this.duration.toJSON(),
      endpointDuration: this.endpointDuration.toJSON(),
    };
  }

  /** Adds the counts of the same API recorded elsewhere (another worker of a cluster). */
  add(other: SerializedApiStats): void {
    addInto(this.requests, other.requests);
    for (const [key, byClass] of other.errors) {
      let mine = this.errors.get(key);
      if (mine === undefined) {
        mine = new Float64Array(STATUS_CLASSES.length);
        this.errors.set(key, mine);
      }
      addInto(mine, byClass);
    }
    for (const [key, count] of other.upstreamErrors) {
      this.upstreamErrors.set(key, (this.upstreamErrors.get(key) ?? 0) + count);
    }
    this.aborted += other.aborted;
    this.duration.add(other.duration);
    this.endpointDuration.add(other.endpointDuration);
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

function addInto(target: Float64Array, values: readonly number[]): void {
  values.forEach((value, i) => {
    if (i < target.length) target[i]! += value;
  });
}

/**
 * The request stats of a gateway, by API: the {@link RequestObserver} the request path feeds, and the per-API
 * accumulators built from it (or added up from other processes').
 */
export class RequestStatsTable {
  readonly #stats = new Map<string, ApiRequestStats>();
  /** Counts every finished request. */
  readonly observer: RequestObserver;

  constructor() {
    const stats = this.#stats;
    this.observer = {
      requestCompleted(request: CompletedRequest) {
        const api = request.apiId ?? '';
        let apiStats = stats.get(api);
        if (apiStats === undefined) {
          apiStats = new ApiRequestStats(api);
          stats.set(api, apiStats);
        }
        apiStats.record(request);
      },
    };
  }

  values(): IterableIterator<ApiRequestStats> {
    return this.#stats.values();
  }

  /** Finished requests counted, all APIs together. */
  get total(): number {
    let total = 0;
    for (const stats of this.#stats.values()) {
      for (const count of stats.requests) total += count;
      for (const byClass of stats.errors.values()) for (const count of byClass) total += count;
    }
    return total;
  }

  /** Forgets the APIs that were already undeployed at the previous call (one scrape after their undeploy). */
  prune(deployed: (apiId: string) => boolean): void {
    for (const [api, stats] of this.#stats) {
      if (api === '' || deployed(api)) stats.undeployedScrapes = 0;
      else if (stats.undeployedScrapes++ > 0) this.#stats.delete(api);
    }
  }

  toJSON(): SerializedApiStats[] {
    return [...this.#stats.values()].map((stats) => stats.toJSON());
  }

  /** Adds the stats of another table, as plain data. */
  add(serialized: readonly SerializedApiStats[]): void {
    for (const other of serialized) {
      let stats = this.#stats.get(other.api);
      if (stats === undefined) {
        stats = new ApiRequestStats(other.api);
        this.#stats.set(other.api, stats);
      }
      stats.add(other);
    }
  }
}
