import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  it('opens after maxFailures consecutive failures, half-opens after openStateDuration, closes on success', () => {
    let now = 0;
    const circuit = new CircuitBreaker({ maxFailures: 3, openStateDuration: 100 }, () => now);
    circuit.onFailure();
    circuit.onFailure();
    circuit.onSuccess(); // not consecutive
    circuit.onFailure();
    circuit.onFailure();
    expect(circuit.state).toBe('CLOSED');
    circuit.onFailure();
    expect(circuit.state).toBe('OPEN');
    expect(circuit.permits()).toBe(false);
    now = 100;
    expect(circuit.state).toBe('HALF_OPEN');
    expect(circuit.permits()).toBe(true);
    circuit.onDispatch();
    expect(circuit.permits()).toBe(false); // one trial at a time
    circuit.onSuccess();
    expect(circuit.state).toBe('CLOSED');
    expect(circuit.failures).toBe(0);
  });

  it('re-opens when the trial fails, and lets another trial through when one is cancelled', () => {
    let now = 0;
    const circuit = new CircuitBreaker({ maxFailures: 1, openStateDuration: 50 }, () => now);
    circuit.onFailure();
    now = 60;
    circuit.onDispatch();
    circuit.onFailure();
    expect(circuit.state).toBe('OPEN');
    now = 100;
    expect(circuit.permits()).toBe(false);
    now = 110;
    circuit.onDispatch();
    circuit.onCancel();
    expect(circuit.permits()).toBe(true);
  });
});
