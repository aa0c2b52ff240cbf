import pg from 'pg';
import type { StoreLogger } from './options.js';
import { PG_CHANGE_CHANNEL } from './repositories/events.js';
import { redact } from './url.js';

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

/** Options of a {@link PgChangeListener}. */
export interface PgChangeListenerOptions {
  url: string;
  listener: () => void;
  logger: StoreLogger;
  connectTimeoutMs: number;
}

/**
 * A dedicated PostgreSQL connection that `LISTEN`s on {@link PG_CHANGE_CHANNEL} and calls the listener on each
 * notification. When the connection drops it reconnects with exponential backoff (250 ms to 10 s) and calls the
 * listener once after reconnecting, since notifications sent meanwhile are lost: the caller should sync then.
 */
export class PgChangeListener {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;

  constructor(private readonly options: PgChangeListenerOptions) {}

  /** Connects and listens; when the first connection fails, keeps retrying in the background. */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      this.options.logger.warn(`Cannot listen to ${redact(this.options.url)}: ${messageOf(error)}; retrying.`);
      this.scheduleReconnect();
    }
  }

  /** Stops listening and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      keepAlive: true,
    });
    client.on('notification', (message) => {
      if (message.channel === PG_CHANGE_CHANNEL) this.notify();
    });
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${PG_CHANGE_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
  }

  private dropped(client: pg.Client, error?: Error): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    this.options.logger.warn(`Lost the PostgreSQL change listener${error ? `: ${error.message}` : ''}; reconnecting.`);
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => void this.reconnect(), backoff + Math.random() * backoff * 0.2);
    this.timer.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.connect();
    } catch (error) {
      this.options.logger.warn(`PostgreSQL change listener reconnect failed: ${messageOf(error)}`);
      this.scheduleReconnect();
      return;
    }
    if (!this.stopped) {
      this.options.logger.info('PostgreSQL change listener reconnected.');
      this.notify();
    }
  }

  private notify(): void {
    try {
      this.options.listener();
    } catch (error) {
      this.options.logger.error(`A change listener threw: ${messageOf(error)}`);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
