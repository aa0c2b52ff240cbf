/**
 * The primary's side of plan security in a cluster: the security sync writes here; the changes of each cycle are sent
 * to the workers in batches, and a copy is kept so that a new worker starts with everything.
 */
import type { SecuritySink } from '../security/security-sync.js';
import { type KnownApiKey, type KnownSubscription, SubscriptionRegistry } from '../security/subscription-registry.js';
import type { PrimaryMessage } from './protocol.js';

/** Records per `security` message. */
const CHUNK = 5_000;

type SecurityMessage = Extract<PrimaryMessage, { apim: 'security' }>;

function chunks(
  reset: boolean,
  subscriptions: readonly KnownSubscription[],
  apiKeys: readonly KnownApiKey[],
): SecurityMessage[] {
  const messages: SecurityMessage[] = [];
  let s = 0;
  let k = 0;
  do {
    const subs = subscriptions.slice(s, s + CHUNK);
    const keys = apiKeys.slice(k, k + Math.max(0, CHUNK - subs.length));
    s += subs.length;
    k += keys.length;
    messages.push({ apim: 'security', reset: reset && messages.length === 0, subscriptions: subs, apiKeys: keys });
  } while (s < subscriptions.length || k < apiKeys.length);
  return messages;
}

/** A {@link SecuritySink} that broadcasts to the workers what the sync reads. */
export class SecurityBroadcaster implements SecuritySink {
  readonly #copy = new SubscriptionRegistry();
  readonly #broadcast: (message: PrimaryMessage) => void;
  #reset = false;
  #subscriptions: KnownSubscription[] = [];
  #apiKeys: KnownApiKey[] = [];

  constructor(broadcast: (message: PrimaryMessage) => void) {
    this.#broadcast = broadcast;
  }

  putSubscription(subscription: KnownSubscription): void {
    this.#copy.putSubscription(subscription);
    this.#subscriptions.push(subscription);
  }

  putApiKey(key: KnownApiKey): void {
    this.#copy.putApiKey(key);
    this.#apiKeys.push(key);
  }

  clear(): void {
    this.#copy.clear();
    this.#reset = true;
    this.#subscriptions = [];
    this.#apiKeys = [];
  }

  flush(): void {
    if (!this.#reset && this.#subscriptions.length === 0 && this.#apiKeys.length === 0) return;
    for (const message of chunks(this.#reset, this.#subscriptions, this.#apiKeys)) this.#broadcast(message);
    this.#reset = false;
    this.#subscriptions = [];
    this.#apiKeys = [];
  }

  /** Everything known (what the local copy holds). */
  get registry(): SubscriptionRegistry {
    return this.#copy;
  }

  /** Everything known, as the messages a new worker receives before the API snapshot. */
  snapshot(): SecurityMessage[] {
    return chunks(true, [...this.#copy.allSubscriptions()], [...this.#copy.allApiKeys()]);
  }
}
