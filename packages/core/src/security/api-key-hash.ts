/**
 * How API keys are kept: never in clear, only as a hash the gateways look keys up by, and a mask for display.
 *
 * The hash is SHA-256 (hex): generated keys carry 256 bits of entropy and custom keys at least 8 characters, so a
 * slow password hash would add nothing against guessing while costing every request; what matters is that a leaked
 * store does not reveal usable keys. The management API and every gateway must hash the same way: this function is
 * the only place that does.
 */
import { createHash } from 'node:crypto';

/**
 * The stored form of an API key.
 *
 * @example hashApiKey('4f9c1d1a-...') // '9b74c9897bac770ffc029102a200c5de...' (64 hex characters)
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * A display mask: the first and last four characters around stars (all stars for keys of 8 characters or fewer).
 *
 * @example maskApiKey('abcdefghijklmnop') // 'abcd********mnop'
 */
export function maskApiKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 4)}${'*'.repeat(key.length - 8)}${key.slice(-4)}`;
}
