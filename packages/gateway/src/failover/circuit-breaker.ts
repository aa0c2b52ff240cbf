/**
 * The circuit breaker of one endpoint (API `failover`): after `maxFailures` consecutive failures the circuit opens
 * and the balancers skip the endpoint for `openStateDuration` ms; it then half-opens and lets one trial request
 * through, closing on its success and opening again on its failure.
 */

/** The states of a circuit, as resilience4j names them. */
export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** The circuit breaker settings resolved from the API's `failover`. */
export interface CircuitBreakerOptions {
  maxFailures: number;
  openStateDuration: number;
}

/** A per-endpoint circuit breaker; every method is O(1) and allocation-free. */
export class CircuitBreaker {
  #state: CircuitState = 'CLOSED';
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(
    readonly options: CircuitBreakerOptions,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** The current state (an open circuit whose duration is over reports `HALF_OPEN`). */
  get state(): CircuitState {
    if (this.#state === 'OPEN' && this.now() - this.#openedAt >= this.options.openStateDuration) return 'HALF_OPEN';
    return this.#state;
  }

  /** Consecutive failures counted since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Whether a request may be sent now (no side effect: balancers read it freely). */
  permits(): boolean {
    if (this.#state === 'CLOSED') return true;
    return !this.#trialInFlight && this.state === 'HALF_OPEN';
  }

  /** A request is sent: in half-open state it is the trial, and no other request passes until it ends. */
  onDispatch(): void {
    if (this.#state !== 'CLOSED' && this.state === 'HALF_OPEN') {
      this.#state = 'HALF_OPEN';
      this.#trialInFlight = true;
    }
  }

  /** A request ended without an outcome (the client left): a half-open circuit lets another trial through. */
  onCancel(): void {
    this.#trialInFlight = false;
  }

  /** A request succeeded: the circuit closes. */
  onSuccess(): void {
    this.#failures = 0;
    this.#trialInFlight = false;
    this.#state = 'CLOSED';
  }

  /** A request failed: the trial of a half-open circuit, or the `maxFailures`th in a row, opens the circuit. */
  onFailure(): void {
    this.#failures++;
    if (this.#state === 'HALF_OPEN' || this.#failures >= this.options.maxFailures) {
      this.#state = 'OPEN';
      this.#openedAt = this.now();
      this.#trialInFlight = false;
    }
  }
}
