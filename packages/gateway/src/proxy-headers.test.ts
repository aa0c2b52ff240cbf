import { describe, expect, it } from 'vitest';
import {
  buildResponseHeaders,
  buildUpstreamHeaders,
  connectionTokens,
  type UpstreamHeaderContext,
} from './proxy-headers.js';

const ctx = (over: Partial<UpstreamHeaderContext> = {}): UpstreamHeaderContext => ({
  hostHeader: 'backend:8080',
  propagateClientHost: false,
  forwardAcceptEncoding: true,
  configured: [],
  configuredNames: new Set(),
  ...over,
});

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
    const headers = pairs(buildUpstreamHeaders(raw, ctx(), '10.0.0.7', 'http'));
    expect(headers).toEqual([
      ['Accept', 'text/plain'],
      ['Set-Thing', 'a'],
      ['Set-Thing', 'b'],
      ['host', 'backend:8080'],
      ['x-forwarded-for', '10.0.0.7'],
      ['x-forwarded-proto', 'http'],
      ['x-forwarded-host', 'gw.example.com:8082'],
    ]);
  });

  it('appends the client address to an existing X-Forwarded-For and replaces proto/host', () => {
    const raw = ['x-forwarded-for', '1.1.1.1', 'X-Forwarded-For', '2.2.2.2', 'X-Forwarded-Proto', 'https', 'host', 'h'];
    const headers = pairs(buildUpstreamHeaders(raw, ctx(), '::ffff:10.0.0.7', 'http'));
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
      ),
    );
    expect(headers).toEqual([
      ['x-tenant', 'configured'],
      ['host', 'client.example.com'],
      ['x-forwarded-proto', 'https'],
      ['x-forwarded-host', 'client.example.com'],
    ]);
  });
});

describe('buildResponseHeaders', () => {
  it('drops hop-by-hop and Connection-named headers and flattens repeated ones', () => {
    const headers = pairs(
      buildResponseHeaders({
        connection: 'keep-alive, x-resp-hop',
        'x-resp-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'proxy-authenticate': 'Basic',
        'content-type': 'text/plain',
        'set-cookie': ['a=1', 'b=2'],
      }),
    );
    expect(headers).toEqual([
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
  });
});
