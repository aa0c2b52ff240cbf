import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

/** A database created for one test run on a real server, dropped by `drop()`. */
export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

const scratchName = () => `apim_e2e_${randomBytes(4).toString('hex')}`;

/** Creates a fresh PostgreSQL database next to the one in `baseUrl`. */
export async function createPostgresDatabase(baseUrl: string): Promise<ScratchDatabase> {
  const name = scratchName();
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Creates a fresh MariaDB/MySQL database next to the one in `baseUrl`. */
export async function createMysqlDatabase(baseUrl: string): Promise<ScratchDatabase> {
  const name = scratchName();
  const admin = await mysql.createConnection(baseUrl);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = await mysql.createConnection(baseUrl);
      await client.query(`DROP DATABASE IF EXISTS ${name}`);
      await client.end();
    },
  };
}
