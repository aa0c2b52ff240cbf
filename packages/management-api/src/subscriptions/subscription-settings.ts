/** Settings of subscriptions and API keys (Gravitee's environment settings of the same meaning). */
export interface SubscriptionSettings {
  /**
   * Whether a subscriber may choose its API key (`customApiKey`, 8 to 64 characters of `[A-Za-z0-9_.-]`).
   * Default true.
   */
  allowCustomApiKeys?: boolean;
  /**
   * Whether an application may use one API key for all its API-key subscriptions (`apiKeyMode: SHARED`, Gravitee's
   * `plan.security.apikey.sharedAllowed`). Default false, as in Gravitee.
   */
  allowSharedApiKeys?: boolean;
  /** How long a renewed API key keeps working after the renewal. Default 2 hours ({@link DEFAULT_RENEWAL_GRACE_MS}). */
  apiKeyRenewalGracePeriodMs?: number;
  /**
   * How often subscriptions whose `endingAt` has passed are closed (SUBSCRIPTION_CHANGED `ENDED`); 0 disables the
   * check. Default 60 s.
   */
  expiryCheckIntervalMs?: number;
}

/** Two hours: the old key of a renewal keeps working this long, so clients can roll the new one out. */
export const DEFAULT_RENEWAL_GRACE_MS = 2 * 60 * 60 * 1000;
export const DEFAULT_EXPIRY_CHECK_INTERVAL_MS = 60_000;

/** {@link SubscriptionSettings} with the defaults applied. */
export type ResolvedSubscriptionSettings = Required<SubscriptionSettings>;

export function resolveSubscriptionSettings(settings: SubscriptionSettings = {}): ResolvedSubscriptionSettings {
  return {
    allowCustomApiKeys: settings.allowCustomApiKeys ?? true,
    allowSharedApiKeys: settings.allowSharedApiKeys ?? false,
    apiKeyRenewalGracePeriodMs: settings.apiKeyRenewalGracePeriodMs ?? DEFAULT_RENEWAL_GRACE_MS,
    expiryCheckIntervalMs: settings.expiryCheckIntervalMs ?? DEFAULT_EXPIRY_CHECK_INTERVAL_MS,
  };
}
