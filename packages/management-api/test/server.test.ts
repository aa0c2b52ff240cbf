import { Writable } from 'node:stream';
import type { ConfigStore } from '@apim/core';
import { createConfigStore } from '@apim/repository-sql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDefaults, startManagementApi } from '../src/index.js';
import { ADMIN_AUTH, ADMIN_PASSWORD, BASE, proxyApi } from './helpers.js';

let store: ConfigStore;
beforeAll(async () => {
  store = await createConfigStore({ url: 'sqlite::memory:' });
  await ensureDefaults(store, { adminPassword: ADMIN_PASSWORD });
});
afterAll(() => store.close());

describe('startManagementApi', () => {
  it('listens on a real socket and logs neither credentials nor bodies', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const running = await startManagementApi({ store, port: 0, host: '127.0.0.1', logger });
    try {
      expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
      const health = await fetch(`${running.url}/management/health`);
      expect(health.status).toBe(200);

      const anonymous = await fetch(`${running.url}${BASE}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="apim"');

      const created = await fetch(`${running.url}${BASE}`, {
        method: 'POST',
        headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
        body: JSON.stringify(proxyApi('/socket', { description: 'body-marker-1234' })),
      });
      expect(created.status).toBe(201);
      const bad = await fetch(`${running.url}${BASE}`, {
        method: 'POST',
        headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'body-marker-5678' }),
      });
      expect(bad.status).toBe(400);
    } finally {
      await running.close();
    }
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).not.toContain(ADMIN_PASSWORD);
    expect(log).not.toContain(ADMIN_AUTH.slice('Basic '.length));
    expect(log).not.toContain('body-marker');
  });
});
