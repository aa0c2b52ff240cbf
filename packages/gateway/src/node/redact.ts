/**
 * Removes secrets from a deployed definition before the node service shows it: credentials in endpoint, policy and
 * resource configurations, sensitive headers, encrypted properties and the contents of TLS key and trust stores.
 * Over-redacting is preferred to leaking: any field whose name looks like a secret is masked.
 */

/** What replaces a secret value. */
export const REDACTED = '******';

/** Field names that hold secrets: password, clientSecret, accessToken, apiKey, privateKey, authorization... */
const SECRET_NAME = /passw(or)?d|passphrase|secret|token|authori[sz]ation|credential|cookie|.key$|^resolverParameter$/i;

/** Header names whose values are secrets. */
const SECRET_HEADER = /authori[sz]ation|cookie|token|secret|api[-_]?key|password/i;

/** Fields of a key/trust store that are safe to show (everything else is content or a password). */
const STORE_VISIBLE_FIELDS = new Set(['type', 'path', 'certPath', 'keyPath', 'alias']);

/**
 * Returns a deep copy of `value` with its secrets replaced by {@link REDACTED}.
 *
 * @example
 * redactSecrets({ configuration: { target: 'https://x', password: 'p' } });
 * // { configuration: { target: 'https://x', password: '******' } }
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, undefined) as T;
}

function redact(value: unknown, name: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, undefined));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if (name === 'keyStore' || name === 'trustStore') return redactStore(object);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(object)) {
    out[key] = SECRET_NAME.test(key) && isSecretValue(field) ? REDACTED : redact(field, key);
  }
  // A header `{ name, value }` or a property `{ key, value, encrypted }`.
  const label = typeof object.name === 'string' ? object.name : typeof object.key === 'string' ? object.key : undefined;
  if ('value' in out && label !== undefined) {
    if (object.encrypted === true || SECRET_HEADER.test(label) || SECRET_NAME.test(label)) out.value = REDACTED;
  }
  return out;
}

function redactStore(store: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(store)) {
    out[key] = STORE_VISIBLE_FIELDS.has(key) || field === undefined || field === '' ? field : REDACTED;
  }
  return out;
}

/** Strings and structures can hold secrets; flags and numbers (`tokenTtl: 60`, `useApiKey: true`) cannot. */
const isSecretValue = (value: unknown) =>
  (typeof value === 'string' && value.length > 0) || (typeof value === 'object' && value !== null);
