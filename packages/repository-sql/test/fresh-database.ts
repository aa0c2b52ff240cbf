import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

/**
 * A database created for one test run on a PostgreSQL or MariaDB/MySQL server, so that parallel runs never share
 * tables. `url()` creates it on first use and returns a URL pointing to it; `drop()` removes it.
 */
export class FreshDatabase {
  readonly name = `apim_test_${randomBytes(6).toString('hex')}`;
  private created: Promise<string> | undefined;

  constructor(
    private readonly kind: 'postgres' | 'mysql',
    private readonly serverUrl: string,
  ) {}

  /** The URL of the fresh database (created on the first call). */
  url(): Promise<string> {
    this.created ??= this.create();
    return this.created;
  }

  /** Drops the database if it was created. */
  async drop(): Promise<void> {
    if (!this.created) return;
    await this.created.catch(() => undefined);
    await this.admin(
      this.kind === 'postgres'
        ? `DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`
        : `DROP DATABASE IF EXISTS \`${this.name}\``,
    );
  }

  private async create(): Promise<string> {
    await this.admin(
      this.kind === 'postgres'
        ? `CREATE DATABASE "${this.name}"`
        : `CREATE DATABASE \`${this.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
    const url = new URL(this.serverUrl);
    url.pathname = `/${this.name}`;
    return url.toString();
  }

  private async admin(statement: string): Promise<void> {
    if (this.kind === 'postgres') {
      const client = new pg.Client({ connectionString: this.serverUrl, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
      return;
    }
    const connection = await mysql.createConnection({
      uri: this.serverUrl.replace(/^mariadb:/, 'mysql:'),
      connectTimeout: 5000,
    });
    try {
      await connection.query(statement);
    } finally {
      await connection.end();
    }
  }
}
