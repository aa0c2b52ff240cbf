import { describe, expect, it } from 'vitest';
import {
  applyOverrideMode,
  buildResponseHeaders,
  buildUpstreamHeaders,
  connectionTokens,
  isValidTraceparent,
  newTraceparent,
  type RequestIds,
  type UpstreamHeaderContext,
} from './proxy-headers.js';
import { resolveServerSettings } from './server-options.js';

const ctx = (over: Partial<UpstreamHeaderContext> = {}): UpstreamHeaderContext => ({
  hostHeader: 'backend:8080',
  propagateClientHost: false,
  forwardAcceptEncoding: true,
  configured: [],
  configuredNames: new Set(),
  ...over,
});

/** Settings without Via, so the lists below show only what each test is about. */
const plain = resolveServerSettings({ via: { enabled: false } });
const ids: RequestIds = {
  requestId: 'req-1',
  transactionId: 'tx-1',
  httpVersion: '1.1',
  traceparent: undefined,
  traceparentGenerated: false,
};
const ID_HEADERS: [string, string][] = [
  ['X-Gravitee-Transaction-Id', 'tx-1'],
  ['X-Gravitee-Request-Id', 'req-1'],
];

const pairs = (flat: string[]) => {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
};

describe('connectionTokens', () => {
  it('ignores keep-alive and close, and lowercases the rest', () => {
    expect(connectionTokens(undefined)).toBeUndefined();
    expect(connectionTokens(['Keep-Alive'])).toBeUndefined();
    expect(connectionTokens(['keep-alive, X-Hop ,close', 'Other'])).toEqual(new Set(['x-hop', 'other']));
  });
});

describe('buildUpstreamHeaders', () => {
  it('drops hop-by-hop headers and headers named in Connection, keeping order, case and duplicates', () => {
    const raw = [
      'Host', 'gw.example.com:8082',
      'Connection', 'keep-alive, X-Hop',
      'X-Hop', 'secret',
      'Keep-Alive', 'timeout=5',
      'TE', 'trailers',
      'Trailer', 'x-t',
      'Transfer-Encoding', 'chunked',
      'Upgrade', 'h2c',
      'Proxy-Authorization', 'Basic eA==',
      'Expect', '100-continue',
      'Accept', 'text/plain',
      'Set-Thing', 'a',
      'Set-Thing', 'b',
    ]; // biome-ignore format: pairs
    const headers = pairs(buildUpstreamHeaders(raw, ctx(), '10.0.0.7', 'http', plain, ids));
    expect(headers).toEqual([
      ['Accept', 'text/plain'],
      ['Set-Thing', 'a'],
      ['Set-Thing', 'b'],
      ...ID_HEADERS,
      ['host', 'backend:8080'],
      ['x-forwarded-for', '10.0.0.7'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'gw.example.com:8082'],
    ]);
  });

  it('appends the client address to an existing X-Forwarded-For and replaces proto/host', () => {
    const raw = ['x-forwarded-for', '1.1.1.1', 'X-Forwarded-For', '2.2.2.2', 'X-Forwarded-Proto', 'https', 'host', 'h'];
    const headers = pairs(buildUpstreamHeaders(raw, ctx(), '::ffff:10.0.0.7', 'http', plain, ids));
    expect(headers).toContainEqual(['x-forwarded-for', '1.1.1.1, 2.2.2.2, 10.0.0.7']);
    expect(headers).toContainEqual(['x-forwarded-proto', 'http']);
    expect(headers).toContainEqual(['x-forwarded-host', 'h']);
  });

  it('keeps the client Host when asked, and applies configured headers over the client ones', () => {
    const raw = ['Host', 'client.example.com', 'X-Tenant', 'client', 'Accept-Encoding', 'gzip'];
    const configured: [string, string][] = [['x-tenant', 'configured']];
    const headers = pairs(
      buildUpstreamHeaders(
        raw,
        ctx({
          propagateClientHost: true,
          configured,
          configuredNames: new Set(['x-tenant']),
          forwardAcceptEncoding: false,
        }),
        undefined,
        'https',
        plain,
        ids,
      ),
    );
    expect(headers).toEqual([
      ['x-tenant', 'configured'],
      ...ID_HEADERS,
      ['host', 'client.example.com'],
      ['x-forwarded-proto', 'https'],
      ['x-forwarded-host', 'client.example.com'],
    ]);
  });
});

describe('buildResponseHeaders', () => {
  it('drops hop-by-hop and Connection-named headers and flattens repeated ones', () => {
    const headers = pairs(
      buildResponseHeaders(
        {
          connection: 'keep-alive, x-resp-hop',
          'x-resp-hop': '1',
          'keep-alive': 'timeout=5',
          'transfer-encoding': 'chunked',
          'proxy-authenticate': 'Basic',
          'content-type': 'text/plain',
          'set-cookie': ['a=1', 'b=2'],
        },
        plain,
        ids,
      ),
    );
    expect(headers).toEqual([
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ...ID_HEADERS,
    ]);
  });

  it('appends Via to the endpoint one and applies the override mode to its id headers', () => {
    const upstream = {
      via: ['1.1 backend', '1.0 cache'],
      'x-gravitee-transaction-id': 'their-tx',
      'x-gravitee-request-id': 'their-req',
    };
    const overriding = pairs(buildResponseHeaders(upstream, resolveServerSettings(), ids));
    expect(overriding).toEqual([...ID_HEADERS, ['via', '1.1 backend, 1.0 cache, 1.1 apim-gateway']]);
    const settings = resolveServerSettings({
      via: { receivedBy: 'edge-1' },
      transaction: { overrideMode: 'keep' },
      requestId: { overrideMode: 'merge' },
    });
    expect(pairs(buildResponseHeaders(upstream, settings, ids))).toEqual([
      ['X-Gravitee-Transaction-Id', 'their-tx'],
      ['X-Gravitee-Request-Id', 'their-req, req-1'],
      ['via', '1.1 backend, 1.0 cache, 1.1 edge-1'],
    ]);
  });
});

describe('proxy identity headers on the upstream request', () => {
  it('appends Via with the client protocol version, and passes the client Via through when Via is off', () => {
    const raw = ['Via', '1.0 corp-proxy', 'via', '1.1 cdn (Edge)', 'Host', 'h'];
    const on = pairs(buildUpstreamHeaders(raw, ctx(), undefined, 'http', resolveServerSettings(), ids));
    expect(on).toContainEqual(['via', '1.0 corp-proxy, 1.1 cdn (Edge), 1.1 apim-gateway']);
    const http10 = pairs(
      buildUpstreamHeaders(['Host', 'h'], ctx(), undefined, 'http', resolveServerSettings(), {
        ...ids,
        httpVersion: '1.0',
      }),
    );
    expect(http10).toContainEqual(['via', '1.0 apim-gateway']);
    const off = pairs(buildUpstreamHeaders(raw, ctx(), undefined, 'http', plain, ids));
    expect(off).toContainEqual(['via', '1.0 corp-proxy, 1.1 cdn (Edge)']);
  });

  it('sets the id headers by override mode against the client ones, under configured names', () => {
    const raw = ['x-request-id', 'client-req', 'X-Correlation', 'client-tx', 'x-other', '1'];
    const names = { transaction: { header: 'X-Correlation' }, requestId: { header: 'X-Request-Id' } };
    const build = (mode: 'override' | 'merge' | 'keep') =>
      pairs(
        buildUpstreamHeaders(
          raw,
          ctx(),
          undefined,
          'http',
          resolveServerSettings({
            ...names,
            via: { enabled: false },
            requestId: { ...names.requestId, overrideMode: mode },
          }),
          { ...ids, transactionId: 'client-tx' },
        ),
      ).filter(([name]) => name.toLowerCase() !== 'x-other' && !name.startsWith('x-forwarded') && name !== 'host');
    expect(build('override')).toEqual([
      ['X-Correlation', 'client-tx'],
      ['X-Request-Id', 'req-1'],
    ]);
    expect(build('merge')).toEqual([
      ['X-Correlation', 'client-tx'],
      ['X-Request-Id', 'client-req, req-1'],
    ]);
    expect(build('keep')).toEqual([
      ['X-Correlation', 'client-tx'],
      ['X-Request-Id', 'client-req'],
    ]);
  });

  it('replaces the client trace headers only when the gateway generated a traceparent', () => {
    const raw = ['tracestate', 'vendor=1', 'traceparent', 'bogus'];
    const kept = pairs(buildUpstreamHeaders(raw, ctx(), undefined, 'http', plain, ids));
    expect(kept.slice(0, 2)).toEqual([
      ['tracestate', 'vendor=1'],
      ['traceparent', 'bogus'],
    ]);
    const generated = newTraceparent();
    const replaced = pairs(
      buildUpstreamHeaders(raw, ctx(), undefined, 'http', plain, {
        ...ids,
        traceparent: generated,
        traceparentGenerated: true,
      }),
    );
    expect(replaced.filter(([name]) => name.startsWith('trace'))).toEqual([['traceparent', generated]]);
  });
});

describe('override modes and traceparent', () => {
  it('combines the gateway value with another one', () => {
    expect(applyOverrideMode('override', 'a', 'b')).toBe('b');
    expect(applyOverrideMode('merge', 'a', 'b')).toBe('a, b');
    expect(applyOverrideMode('merge', 'b', 'b')).toBe('b');
    expect(applyOverrideMode('keep', 'a', 'b')).toBe('a');
    expect(applyOverrideMode('keep', undefined, 'b')).toBe('b');
  });

  it('validates and generates W3C traceparents', () => {
    expect(isValidTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(true);
    expect(isValidTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBe(false);
    expect(isValidTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra')).toBe(true);
    const a = newTraceparent();
    expect(isValidTraceparent(a)).toBe(true);
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(newTraceparent()).not.toBe(a);
  });
});
