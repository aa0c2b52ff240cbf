/** A new random id (UUID v4, from the platform's CSPRNG), the format Gravitee uses for every entity. */
export function newId(): string {
  return globalThis.crypto.randomUUID();
}

/** The current instant as an ISO-8601 UTC string, the date format of every record. */
export function nowIso(): string {
  return new Date().toISOString();
}
