/**
 * Prometheus metrics of a gateway: a {@link RequestObserver} counting finished requests, gauges read from the sync and
 * the registry at scrape time, and the process metrics (prom-client's defaults plus an event-loop delay gauge).
 *
 * The request path pays one Map lookup and a few array increments ({@link ApiRequestStats}); the samples are built
 * from those accumulators when Prometheus scrapes, and prom-client's registry formats them. (prom-client's own
 * labelled children validate and hash their label set on every call: about 0.7 µs for a counter and two histograms,
 * measured, against a few tens of nanoseconds here.) An API's series are dropped one scrape after it is undeployed,
 * so that its last counts are scraped.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client';
import type { RequestObserver } from '../observer.js';
import type { GatewaySync } from '../sync.js';
import { type ApiRequestStats, RequestStatsTable, type SampleValue } from './request-stats.js';

export interface NodeMetricsOptions {
  /** The deployed APIs: the gateway's {@link ApiRegistry}, or a cluster primary's view of its workers' APIs. */
  registry: { readonly size: number; has(apiId: string): boolean };
  sync: GatewaySync;
  /** Include the process metrics: CPU, heap, GC, event loop (default true). */
  processMetrics?: boolean;
  /**
   * The request stats to expose instead of those of {@link NodeMetrics.observer}, read once per scrape: a cluster
   * primary adds up its workers' (each worker drops its undeployed APIs itself).
   */
  requestStats?: () => Promise<RequestStatsTable>;
  /** Live worker processes, exposed as `apim_gateway_workers` (a cluster primary). */
  workers?: () => number;
}

/** The metrics of one gateway, served as Prometheus text by the node service. */
export class NodeMetrics {
  /** Counts every finished request; give it to the gateway's request path. */
  readonly observer: RequestObserver;
  readonly #register = new Registry();
  readonly #registry: NodeMetricsOptions['registry'];
  readonly #processMetrics: boolean;
  readonly #own = new RequestStatsTable();
  readonly #requestStats: NodeMetricsOptions['requestStats'];
  /** The table the current scrape reads. */
  #scraped: RequestStatsTable = this.#own;

  constructor(options: NodeMetricsOptions) {
    const { registry, sync, workers } = options;
    this.#registry = registry;
    this.#processMetrics = options.processMetrics ?? true;
    this.#requestStats = options.requestStats;
    this.observer = this.#own.observer;
    const registers = [this.#register];
    const startedAt = Date.now();
    const each = (collect: (stats: ApiRequestStats, out: SampleValue[]) => void) => () => {
      const out: SampleValue[] = [];
      for (const stats of this.#scraped.values()) collect(stats, out);
      return out;
    };
    this.#collector(
      'apim_gateway_requests_total',
      'Finished requests by API, status class and gateway error key.',
      'counter',
      each((stats, out) => stats.requestSamples(out)),
    );
    this.#collector(
      'apim_gateway_request_duration_seconds',
      'Time from the request arrival to the end of the response.',
      'histogram',
      each((stats, out) => stats.duration.samples('apim_gateway_request_duration_seconds', { api: stats.api }, out)),
    );
    this.#collector(
      'apim_gateway_endpoint_duration_seconds',
      'Time from sending the request upstream to the upstream response headers.',
      'histogram',
      each((stats, out) =>
        stats.endpointDuration.samples('apim_gateway_endpoint_duration_seconds', { api: stats.api }, out),
      ),
    );
    this.#collector(
      'apim_gateway_upstream_errors_total',
      'Requests that failed after reaching an endpoint, by gateway error key.',
      'counter',
      each((stats, out) => {
        for (const [key, value] of stats.upstreamErrors) out.push({ labels: { api: stats.api, key }, value });
      }),
    );
    this.#collector(
      'apim_gateway_aborted_requests_total',
      'Requests whose client went away before the response was complete.',
      'counter',
      each((stats, out) => {
        if (stats.aborted > 0) out.push({ labels: { api: stats.api }, value: stats.aborted });
      }),
    );
    new Gauge({
      name: 'apim_gateway_sync_lag_seconds',
      help: 'Time since the last successful synchronization with the configuration store (since start before the first one).',
      registers,
      collect() {
        this.set((Date.now() - (sync.lastSyncAt?.getTime() ?? startedAt)) / 1000);
      },
    });
    new Gauge({
      name: 'apim_gateway_deployed_apis',
      help: 'APIs deployed on this gateway.',
      registers,
      collect() {
        this.set(registry.size);
      },
    });
    for (const [name, help, count] of [
      ['apim_gateway_syncs_total', 'Successful synchronization cycles.', 'syncs'],
      [
        'apim_gateway_sync_failures_total',
        'Failed synchronization cycles (configuration store unreachable...).',
        'failures',
      ],
    ] as const) {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(sync.counts[count]);
        },
      });
    }
    if (workers !== undefined) {
      new Gauge({
        name: 'apim_gateway_workers',
        help: 'Live gateway worker processes.',
        registers,
        collect() {
          this.set(workers());
        },
      });
    }
  }

  /** Content type of {@link metrics}. */
  get contentType(): string {
    return this.#register.contentType;
  }

  /** The Prometheus text exposition of the gateway's metrics (and the process metrics unless disabled). */
  async metrics(): Promise<string> {
    if (this.#requestStats === undefined) this.#own.prune((api) => this.#registry.has(api));
    else this.#scraped = await this.#requestStats();
    const own = await this.#register.metrics();
    return this.#processMetrics ? `${await processRegistry().metrics()}\n${own}` : own;
  }

  /** Registers a metric whose samples are built at scrape time; prom-client's registry formats it like its own. */
  #collector(name: string, help: string, type: 'counter' | 'histogram', values: () => SampleValue[]): void {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
      reset() {},
    };
    this.#register.registerMetric(metric as unknown as Metric);
  }
}

let processRegister: Registry | undefined;

/**
 * The process-wide metrics, shared by every gateway of the process (they describe the process, and prom-client's
 * collectors cannot be stopped): prom-client's defaults and `apim_gateway_event_loop_delay_seconds{stat}`, the p50,
 * p99 and max event-loop delay since the previous scrape.
 */
function processRegistry(): Registry {
  if (processRegister !== undefined) return processRegister;
  const register = new Registry();
  collectDefaultMetrics({ register });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  new Gauge({
    name: 'apim_gateway_event_loop_delay_seconds',
    help: 'Event-loop delay since the previous scrape (stat: p50, p99, max).',
    labelNames: ['stat'],
    registers: [register],
    collect() {
      const max = delay.count === 0 ? 0 : delay.max;
      this.set({ stat: 'p50' }, delay.percentile(50) / 1e9);
      this.set({ stat: 'p99' }, delay.percentile(99) / 1e9);
      this.set({ stat: 'max' }, max / 1e9);
      delay.reset();
    },
  });
  processRegister = register;
  return register;
}
