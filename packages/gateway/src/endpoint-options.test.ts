import type { Endpoint, EndpointGroup } from '@apim/core';
import { afterEach, describe, expect, it } from 'vitest';
import { EndpointRuntime } from './endpoint-group.js';
import { effectiveSharedConfiguration, resolveEndpointClientConfig } from './endpoint-options.js';
import { upstreamErrorKey } from './proxy.js';

const endpoint = (over: Partial<Endpoint> = {}): Endpoint => ({
  name: 'e',
  type: 'http-proxy',
  weight: 1,
  secondary: false,
  inheritConfiguration: true,
  configuration: { target: 'http://backend:8080/base' },
  ...over,
});

const group = (
  endpoints: Endpoint[],
  sharedConfiguration: EndpointGroup['sharedConfiguration'] = {},
): EndpointGroup => ({
  name: 'g',
  type: 'http-proxy',
  loadBalancer: { type: 'ROUND_ROBIN' },
  sharedConfiguration,
  endpoints,
});

describe('resolveEndpointClientConfig', () => {
  it("uses the group's configuration unless the endpoint overrides it (no deep merge)", () => {
    const shared = { http: { readTimeout: 1_000, connectTimeout: 200 } };
    const override = { http: { readTimeout: 5_000 } };
    const inherit = endpoint({ sharedConfigurationOverride: override });
    const own = endpoint({ inheritConfiguration: false, sharedConfigurationOverride: override });
    expect(effectiveSharedConfiguration(group([inherit], shared), inherit)).toBe(shared);
    expect(effectiveSharedConfiguration(group([own], shared), own)).toBe(override);
    const config = resolveEndpointClientConfig(group([own], shared), own);
    expect(config.poolOptions.headersTimeout).toBe(5_000);
    // connectTimeout is not inherited from the group once overridden: Gravitee's default applies.
    expect(config.poolOptions.connect).toMatchObject({ timeout: 3_000 });
  });

  it('maps the Gravitee HTTP options onto the undici pool', () => {
    const e = endpoint({ configuration: { target: 'https://api.example.com:8443/v1?tenant=a' } });
    const config = resolveEndpointClientConfig(
      group([e], {
        http: {
          connectTimeout: 1_500,
          readTimeout: 7_000,
          keepAliveTimeout: 20_000,
          maxConcurrentConnections: 42,
          version: 'HTTP_2',
          keepAlive: false,
        },
        ssl: { trustAll: true, hostnameVerifier: false },
        headers: [{ name: 'X-Api-Gateway', value: 'apim' }],
      }),
      e,
    );
    expect(config.origin).toBe('https://api.example.com:8443');
    expect(config.basePath).toBe('/v1');
    expect(config.baseQuery).toBe('tenant=a');
    expect(config.hostHeader).toBe('api.example.com:8443');
    expect(config.keepAlive).toBe(false);
    expect(config.headers).toEqual([['x-api-gateway', 'apim']]);
    expect(config.poolOptions).toMatchObject({
      connections: 42,
      headersTimeout: 7_000,
      bodyTimeout: 7_000,
      keepAliveTimeout: 20_000,
      allowH2: true,
      connect: { timeout: 1_500, rejectUnauthorized: false },
    });
    expect(config.unsupported).toEqual([]);
  });

  it('applies the Gravitee defaults and reports what it does not apply', () => {
    const e = endpoint({ configuration: { target: 'grpc://backend:50051' } });
    const config = resolveEndpointClientConfig(
      group([e], { http: { followRedirects: true, version: 'HTTP_2' }, proxy: { enabled: true } }),
      e,
    );
    expect(config.origin).toBe('http://backend:50051');
    expect(config.poolOptions).toMatchObject({ connections: 100, headersTimeout: 10_000, keepAliveTimeout: 30_000 });
    expect(config.unsupported).toEqual(['proxy']);
    expect(config.h2c).toBe(true); // grpc:// goes through a node:http2 session (src/grpc/)
    expect(config.maxRedirections).toBe(5);
  });

  it('sends HTTP/2 targets through node:http2, with an HTTP/1.1 fallback for https:// only', () => {
    const resolve = (target: string, version?: 'HTTP_1_1' | 'HTTP_2') => {
      const e = endpoint({ configuration: { target } });
      const { h2c, http1Fallback } = resolveEndpointClientConfig(group([e], { http: { version } }), e);
      return { h2c, http1Fallback };
    };
    expect(resolve('http://up', 'HTTP_1_1')).toEqual({ h2c: false, http1Fallback: false });
    expect(resolve('https://up')).toEqual({ h2c: false, http1Fallback: false });
    expect(resolve('http://up', 'HTTP_2')).toEqual({ h2c: true, http1Fallback: false }); // h2c, prior knowledge
    expect(resolve('https://up', 'HTTP_2')).toEqual({ h2c: true, http1Fallback: true }); // ALPN h2, http/1.1
    expect(resolve('grpc://up', 'HTTP_1_1')).toEqual({ h2c: true, http1Fallback: false });
    expect(resolve('grpcs://up')).toEqual({ h2c: true, http1Fallback: false }); // ALPN h2 only
  });

  it('rejects targets it cannot call', () => {
    for (const target of ['{#properties.backend}', 'ftp://backend', undefined]) {
      const e = endpoint({ configuration: { target } });
      expect(() => resolveEndpointClientConfig(group([e]), e)).toThrow();
    }
  });
});

describe('EndpointRuntime.upstreamPath', () => {
  const runtimes: EndpointRuntime[] = [];
  const make = (target: string) => {
    const e = endpoint({ configuration: { target } });
    const runtime = new EndpointRuntime(group([e]), 0);
    runtimes.push(runtime);
    return runtime;
  };
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.close()));
  });

  it('appends the request rest to the target path, keeping the raw query', () => {
    const base = make('http://up:8080/echo');
    expect(base.upstreamPath('/a/b?x=1&y=%2F')).toBe('/echo/a/b?x=1&y=%2F');
    expect(base.upstreamPath('')).toBe('/echo');
    expect(base.upstreamPath('/')).toBe('/echo/');
    expect(base.upstreamPath('?x')).toBe('/echo?x');
    const slash = make('http://up:8080/echo/');
    expect(slash.upstreamPath('/a')).toBe('/echo/a');
    expect(slash.upstreamPath('')).toBe('/echo/');
    const root = make('http://up:8080');
    expect(root.upstreamPath('')).toBe('/');
    expect(root.upstreamPath('/a?b')).toBe('/a?b');
  });

  it("merges the target's query with the request's", () => {
    const withQuery = make('http://up/search?api=1');
    expect(withQuery.upstreamPath('/a?q=x')).toBe('/search/a?api=1&q=x');
    expect(withQuery.upstreamPath('')).toBe('/search?api=1');
    expect(withQuery.upstreamPath('?')).toBe('/search?api=1');
  });
});

describe('upstreamErrorKey', () => {
  it('maps timeouts to 504 and everything else to 502', () => {
    for (const code of ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']) {
      expect(upstreamErrorKey({ code })).toBe('GATEWAY_CLIENT_CONNECTION_TIMEOUT');
    }
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'ENOTFOUND', undefined]) {
      expect(upstreamErrorKey({ code })).toBe('GATEWAY_CLIENT_CONNECTION_ERROR');
    }
    expect(upstreamErrorKey(undefined)).toBe('GATEWAY_CLIENT_CONNECTION_ERROR');
  });
});

describe('EndpointRuntime pool (created on first use)', () => {
  it('creates its pool on the first request only, with the resolved settings', async () => {
    const { createServer } = await import('node:http');
    let sockets = 0;
    const server = createServer((_req, res) => setTimeout(() => res.end('ok'), 20));
    server.on('connection', () => sockets++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    const e = endpoint({ configuration: { target: `http://127.0.0.1:${port}/` } });
    const runtime = new EndpointRuntime(group([e], { http: { maxConcurrentConnections: 1 } }), 0);
    try {
      expect(runtime.poolCreated).toBe(false);
      const call = async () => (await runtime.dispatcher.request({ method: 'GET', path: '/' })).body.text();
      expect(await Promise.all([call(), call(), call()])).toEqual(['ok', 'ok', 'ok']);
      expect(runtime.poolCreated).toBe(true);
      expect(sockets).toBe(1); // maxConcurrentConnections: 1 applies to the lazily created pool
      expect(runtime.pool).toBe(runtime.pool);
    } finally {
      await runtime.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('closes without creating a pool, and a pool asked for after the close refuses requests', async () => {
    const runtime = new EndpointRuntime(group([endpoint()]), 0);
    await runtime.close();
    expect(runtime.poolCreated).toBe(false);
    await expect(runtime.dispatcher.request({ method: 'GET', path: '/' })).rejects.toThrow(/closed/i);
  });
});
