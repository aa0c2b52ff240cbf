/**
 * The worker processes of a gateway cluster, seen from the primary: forks them (node:cluster, so they share the
 * gateway's port), gives each the settings and the snapshot of the deployed APIs, forwards deploys and undeploys,
 * replaces a worker that dies (with a delay that doubles while replacements keep dying young), asks them for their
 * request stats, and drains them at shutdown.
 */
import cluster, { type Worker } from 'node:cluster';
import type { RateLimitStore } from '@apim/ratelimit';
import type { Logger } from 'pino';
import type { KeptLocalEntry } from '../local-state.js';
import { RequestStatsTable, type SerializedApiStats } from '../node/request-stats.js';
import { decideForWorker } from './ipc-rate-limit-store.js';
import {
  isApimMessage,
  type PrimaryMessage,
  SNAPSHOT_CHUNK,
  type WorkerMessage,
  type WorkerReport,
  type WorkerSettings,
} from './protocol.js';

export interface WorkerPoolOptions {
  size: number;
  /** The worker entry script. */
  exec: string;
  settings: WorkerSettings;
  /** The deployed entries now, for a starting worker's snapshot. */
  snapshot(): readonly KeptLocalEntry[];
  /** The subscriptions and API keys now, sent to a starting worker before the entries. */
  securitySnapshot?(): readonly PrimaryMessage[];
  /** A worker could not compile a deployment. */
  onRejected(apiId: string, deploymentId: string, revision: number): void;
  /** The counters the workers share when the rate-limit store is in memory (kept in the primary). */
  sharedCounters?: RateLimitStore;
  logger: Logger;
  /** First delay before replacing a dead worker (default 100 ms); it doubles up to `maxRestartDelayMs`. */
  restartDelayMs?: number;
  /** Longest delay before replacing a dead worker (default 30 s). */
  maxRestartDelayMs?: number;
  /** How long a worker may take to answer a report request (default 1 s). */
  reportTimeoutMs?: number;
}

/** One worker as `/_node/workers` lists it. */
export interface WorkerView {
  id: number;
  pid: number | undefined;
  startedAt: string;
  listening: boolean;
  /** From the worker's answer; absent when it did not answer in time. */
  apis?: number;
  requests?: number;
}

interface WorkerState {
  worker: Worker;
  startedAt: Date;
  /** Has received its snapshot: gets every deploy and undeploy from then on. */
  subscribed: boolean;
  listening: boolean;
  /** The stats of its last answer, kept when it dies so that the cluster's counters do not go back. */
  lastStats: SerializedApiStats[] | undefined;
  pending: Map<number, (report: WorkerReport | undefined) => void>;
}

/** A worker that dies within this time of its start counts as a crash loop: the next delay doubles. */
const YOUNG_MS = 10_000;

/** The workers of a gateway cluster. */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #logger: Logger;
  readonly #workers = new Map<number, WorkerState>();
  /** The stats last reported by workers that have exited. */
  readonly #departed = new RequestStatsTable();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closing = false;
  #crashes = 0;
  #requestId = 0;
  /** While starting: settles once every worker listens, or when one fails. */
  #starting:
    | { resolve(address: { port: number; tcpPort: number | undefined }): void; reject(e: Error): void }
    | undefined;
  #address: { port: number; tcpPort: number | undefined } | undefined;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#logger = options.logger;
  }

  /** Forks the workers; resolves with the ports once every one listens, rejects when one fails to start. */
  start(): Promise<{ port: number; tcpPort: number | undefined }> {
    const started = new Promise<{ port: number; tcpPort: number | undefined }>((resolve, reject) => {
      this.#starting = { resolve, reject };
    });
    for (let i = 0; i < this.#options.size; i++) this.#fork();
    return started;
  }

  /** Live worker processes. */
  get live(): number {
    return this.#workers.size;
  }

  /** Workers listening on the gateway's port. */
  get listening(): number {
    let count = 0;
    for (const state of this.#workers.values()) if (state.listening) count++;
    return count;
  }

  /** Whether every worker is up and listening (the `http-server` probe). */
  get allListening(): boolean {
    return !this.#closing && this.listening === this.#options.size;
  }

  pids(): number[] {
    return [...this.#workers.values()].flatMap((state) => state.worker.process.pid ?? []);
  }

  /** Sends a message to every worker that has its snapshot (the others get the change with it). */
  broadcast(message: PrimaryMessage): void {
    for (const state of this.#workers.values()) if (state.subscribed) send(state.worker, message);
  }

  /** Asks every listening worker for its report; those that do not answer within the timeout are left out. */
  async reports(withStats: boolean): Promise<{ id: number; report: WorkerReport | undefined }[]> {
    const states = [...this.#workers.entries()].filter(([, state]) => state.listening);
    return Promise.all(states.map(async ([id, state]) => ({ id, report: await this.#ask(state, withStats) })));
  }

  /** The request stats of the cluster: every worker's (asked now) plus the last ones of the workers that exited. */
  async requestStats(deployed: (apiId: string) => boolean): Promise<RequestStatsTable> {
    this.#departed.prune(deployed);
    const total = new RequestStatsTable();
    total.add(this.#departed.toJSON());
    for (const { report } of await this.reports(true)) if (report?.stats) total.add(report.stats);
    return total;
  }

  /** The in-flight requests of the workers, by API. */
  async inFlight(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const { report } of await this.reports(false)) {
      for (const [api, count] of report?.inFlight ?? []) out.set(api, (out.get(api) ?? 0) + count);
    }
    return out;
  }

  /** The workers with their pid, state and the requests they served. */
  async views(): Promise<WorkerView[]> {
    const answers = new Map((await this.reports(false)).map(({ id, report }) => [id, report]));
    return [...this.#workers.entries()].map(([id, state]) => {
      const report = answers.get(id);
      const view: WorkerView = {
        id,
        pid: state.worker.process.pid,
        startedAt: state.startedAt.toISOString(),
        listening: state.listening,
      };
      if (report !== undefined) Object.assign(view, { apis: report.apis, requests: report.requests });
      return view;
    });
  }

  /**
   * Tells every worker to drain (stop accepting, finish in-flight requests within `deadlineMs`, close the pools) and
   * waits for them to exit; one still running a few seconds past the deadline is killed.
   */
  async close(deadlineMs: number): Promise<void> {
    this.#closing = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const exits = [...this.#workers.values()].map(({ worker }) => {
      const exited = new Promise<void>((resolve) => {
        if (worker.isDead()) resolve();
        else worker.once('exit', () => resolve());
      });
      if (worker.isConnected()) send(worker, { apim: 'drain', deadlineMs });
      else worker.process.kill('SIGTERM');
      const killer = setTimeout(() => worker.process.kill('SIGKILL'), deadlineMs + 5_000);
      return exited.finally(() => clearTimeout(killer));
    });
    await Promise.all(exits);
  }

  #fork(): void {
    const { exec } = this.#options;
    // Per fork, since another cluster of the same process may have set other settings.
    cluster.setupPrimary({ exec, args: [], serialization: 'advanced' });
    const worker = cluster.fork({ APIM_GATEWAY_WORKER: '1' });
    const state: WorkerState = {
      worker,
      startedAt: new Date(),
      subscribed: false,
      listening: false,
      lastStats: undefined,
      pending: new Map(),
    };
    this.#workers.set(worker.id, state);
    worker.on('message', (message: unknown) => {
      if (isApimMessage<WorkerMessage>(message)) this.#onMessage(state, message);
    });
    worker.on('error', (error: Error) => this.#logger.debug({ err: error, worker: worker.id }, 'worker channel error'));
    worker.once('exit', (code: number | null, signal: string | null) => this.#onExit(state, code, signal));
  }

  #onMessage(state: WorkerState, message: WorkerMessage): void {
    const { worker } = state;
    switch (message.apim) {
      case 'hello':
        send(worker, { apim: 'init', settings: this.#options.settings });
        for (const security of this.#options.securitySnapshot?.() ?? []) send(worker, security);
        this.#sendSnapshot(worker);
        state.subscribed = true;
        return;
      case 'listening': {
        state.listening = true;
        this.#address ??= { port: message.port, tcpPort: message.tcpPort };
        if (this.#starting === undefined) {
          this.#logger.info({ worker: worker.id, workerPid: worker.process.pid }, 'gateway worker replaced');
        } else if (this.listening === this.#options.size) {
          this.#starting.resolve(this.#address);
          this.#starting = undefined;
        }
        return;
      }
      case 'failed':
        this.#logger.error(
          { worker: worker.id, workerPid: worker.process.pid, reason: message.message },
          'gateway worker failed',
        );
        this.#starting?.reject(new Error(`gateway worker failed to start: ${message.message}`));
        this.#starting = undefined;
        return;
      case 'rejected':
        this.#options.onRejected(message.apiId, message.deploymentId, message.revision);
        return;
      case 'rate-limit': {
        const counters = this.#options.sharedCounters;
        if (counters === undefined) {
          send(worker, { apim: 'rate-limit-decision', id: message.id, error: 'no shared counters in the primary' });
          return;
        }
        decideForWorker(counters, message, (answer) => send(worker, answer));
        return;
      }
      case 'report':
        state.pending.get(message.id)?.(message.report);
        return;
    }
  }

  /** The deployed entries in chunks of {@link SNAPSHOT_CHUNK}, sent in one go so that no change slips in between. */
  #sendSnapshot(worker: Worker): void {
    const entries = this.#options.snapshot();
    let from = 0;
    do {
      const chunk = entries.slice(from, from + SNAPSHOT_CHUNK).map((entry) => entry.json());
      from += SNAPSHOT_CHUNK;
      send(worker, { apim: 'snapshot', entries: `[${chunk.join(',')}]`, last: from >= entries.length });
    } while (from < entries.length);
  }

  #onExit(state: WorkerState, code: number | null, signal: string | null): void {
    const { worker } = state;
    this.#workers.delete(worker.id);
    if (state.lastStats !== undefined) this.#departed.add(state.lastStats);
    for (const resolve of state.pending.values()) resolve(undefined);
    const line = { worker: worker.id, workerPid: worker.process.pid, code, signal };
    if (this.#closing) {
      this.#logger.debug(line, 'gateway worker exited');
      return;
    }
    if (this.#starting !== undefined) {
      this.#starting.reject(
        new Error(`gateway worker ${worker.id} exited during start (code ${code}, signal ${signal})`),
      );
      this.#starting = undefined;
      return;
    }
    const young = Date.now() - state.startedAt.getTime() < YOUNG_MS;
    this.#crashes = young ? this.#crashes + 1 : 1;
    const base = this.#options.restartDelayMs ?? 100;
    const delay = Math.min(this.#options.maxRestartDelayMs ?? 30_000, base * 2 ** Math.min(this.#crashes - 1, 20));
    this.#logger.warn({ ...line, restartInMs: delay }, 'gateway worker died, starting a replacement');
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closing) this.#fork();
    }, delay);
    this.#timers.add(timer);
  }

  #ask(state: WorkerState, withStats: boolean): Promise<WorkerReport | undefined> {
    const id = ++this.#requestId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), this.#options.reportTimeoutMs ?? 1_000);
      const done = (report: WorkerReport | undefined) => {
        clearTimeout(timer);
        state.pending.delete(id);
        if (report?.stats !== undefined) state.lastStats = report.stats;
        resolve(report);
      };
      state.pending.set(id, done);
      send(state.worker, { apim: 'report', id, stats: withStats });
    });
  }
}

function send(worker: Worker, message: PrimaryMessage): void {
  if (!worker.isConnected()) return;
  // A worker that dies meanwhile makes the send fail; its exit is handled on its own.
  worker.send(message, undefined, () => undefined);
}
