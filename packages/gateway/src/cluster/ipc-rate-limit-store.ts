/**
 * The in-memory counter store of a gateway cluster: the counters live in the primary, and each worker asks it over IPC
 * for every decision, so that a limit holds across the workers as it does in one process (each worker counting on its
 * own would multiply every limit by the number of workers). A decision costs one IPC round trip; steps with
 * `async: true` go through the asynchronous wrapper and ask once per interval instead. A decision that does not come
 * back within `timeoutMs` rejects, and the policy's `errorStrategy` decides, as with a slow Redis.
 */
import {
  type RateLimitDecision,
  type RateLimitRequest,
  type RateLimitStore,
  RateLimitStoreError,
  type RateLimitStoreHealth,
} from '@apim/ratelimit';
import type { PrimaryMessage, WorkerMessage } from './protocol.js';

type Pending = {
  resolve: (decision: RateLimitDecision) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

/** The worker's side: a {@link RateLimitStore} whose decisions are the primary's. */
export class IpcRateLimitStore implements RateLimitStore {
  readonly #send: (message: WorkerMessage) => boolean;
  readonly #connected: () => boolean;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #closed = false;

  constructor(options: {
    send: (message: WorkerMessage) => boolean;
    connected: () => boolean;
    timeoutMs?: number;
  }) {
    this.#send = options.send;
    this.#connected = options.connected;
    this.#timeoutMs = options.timeoutMs ?? 100;
  }

  consume(request: RateLimitRequest): Promise<RateLimitDecision> {
    return this.#ask('consume', request);
  }

  increment(request: RateLimitRequest): Promise<RateLimitDecision> {
    return this.#ask('increment', request);
  }

  #ask(op: 'consume' | 'increment', request: RateLimitRequest): Promise<RateLimitDecision> {
    if (this.#closed) return Promise.reject(new RateLimitStoreError('RATELIMIT_STORE_UNAVAILABLE', 'store closed'));
    if (!this.#connected()) {
      return Promise.reject(new RateLimitStoreError('RATELIMIT_STORE_UNAVAILABLE', 'the cluster primary is gone'));
    }
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new RateLimitStoreError('RATELIMIT_STORE_TIMEOUT', `no decision from the primary in ${this.#timeoutMs} ms`),
        );
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#send({ apim: 'rate-limit', id, op, request });
    });
  }

  /** Handles the primary's answer to one request. */
  answered(message: Extract<PrimaryMessage, { apim: 'rate-limit-decision' }>): void {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return; // timed out meanwhile
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.decision !== undefined) pending.resolve(message.decision);
    else pending.reject(new RateLimitStoreError('RATELIMIT_STORE_ERROR', message.error ?? 'the primary failed'));
  }

  async health(): Promise<RateLimitStoreHealth> {
    return this.#connected()
      ? { healthy: true, message: 'counters in the cluster primary' }
      : { healthy: false, message: 'the cluster primary is gone' };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new RateLimitStoreError('RATELIMIT_STORE_UNAVAILABLE', 'store closed'));
      this.#pending.delete(id);
    }
  }
}

/** The primary's side: answers a worker's request from the primary's own store. */
export function decideForWorker(
  store: RateLimitStore,
  message: Extract<WorkerMessage, { apim: 'rate-limit' }>,
  reply: (message: PrimaryMessage) => void,
): void {
  const decision = message.op === 'consume' ? store.consume(message.request) : store.increment(message.request);
  decision.then(
    (result) => reply({ apim: 'rate-limit-decision', id: message.id, decision: result }),
    (error: unknown) => reply({ apim: 'rate-limit-decision', id: message.id, error: (error as Error).message }),
  );
}
