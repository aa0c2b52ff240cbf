import { describe, expect, it } from 'vitest';
import { clientErrorKey } from './server.js';
import { resolveServerSettings } from './server-options.js';

describe('resolveServerSettings', () => {
  it('applies the defaults', () => {
    const settings = resolveServerSettings();
    expect(settings).toMatchObject({
      keepAliveTimeoutMs: 30_000,
      headersTimeoutMs: 30_000,
      requestTimeoutMs: 300_000,
      maxHeaderSize: 16_384,
      maxUriLength: 8_192,
      maxRequestBodySize: 0,
      maxConnections: 0,
      via: { '1.0': '1.0 apim-gateway', '1.1': '1.1 apim-gateway' },
      transaction: { name: 'X-Gravitee-Transaction-Id', lower: 'x-gravitee-transaction-id', mode: 'override' },
      requestId: { name: 'X-Gravitee-Request-Id', lower: 'x-gravitee-request-id', mode: 'override' },
      generateTraceparent: false,
      observer: undefined,
    });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('rejects invalid values with CONFIG_INVALID', () => {
    for (const options of [
      { maxUriLength: -1 },
      { maxHeaderSize: 0 },
      { keepAliveTimeoutMs: Number.NaN },
      { via: { receivedBy: 'two words' } },
      { transaction: { header: 'bad header' } },
      { requestId: { overrideMode: 'replace' as 'keep' } },
      { transaction: { header: 'X-Id' }, requestId: { header: 'x-id' } },
    ]) {
      expect(() => resolveServerSettings(options)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
  });

  it('treats maxUriLength 0 as no limit', () => {
    expect(resolveServerSettings({ maxUriLength: 0 }).maxUriLength).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('clientErrorKey', () => {
  const error = (code: string, rawPacket?: string) =>
    Object.assign(new Error(code), { code, rawPacket: rawPacket === undefined ? undefined : Buffer.from(rawPacket) });

  it('maps Node parser and timeout errors to gateway keys', () => {
    expect(clientErrorKey(error('HPE_HEADER_OVERFLOW', 'GET / HTTP/1.1\r\nX: aaaa'), 10)).toBe(
      'GATEWAY_REQUEST_HEADERS_TOO_LARGE',
    );
    expect(clientErrorKey(error('HPE_HEADER_OVERFLOW', `GET /${'a'.repeat(20)} HTTP/1.1\r\n`), 10)).toBe(
      'GATEWAY_REQUEST_URI_TOO_LONG',
    );
    expect(clientErrorKey(error('HPE_HEADER_OVERFLOW', `GET /${'a'.repeat(20)}`), 10)).toBe(
      'GATEWAY_REQUEST_URI_TOO_LONG',
    );
    expect(clientErrorKey(error('HPE_HEADER_OVERFLOW', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), 10)).toBe(
      'GATEWAY_REQUEST_HEADERS_TOO_LARGE',
    );
    expect(clientErrorKey(error('ERR_HTTP_REQUEST_TIMEOUT'), 10)).toBe('GATEWAY_CLIENT_REQUEST_TIMEOUT');
    expect(clientErrorKey(error('HPE_CHUNK_EXTENSIONS_OVERFLOW'), 10)).toBe('GATEWAY_REQUEST_BODY_TOO_LARGE');
    expect(clientErrorKey(error('HPE_INVALID_METHOD'), 10)).toBe('GATEWAY_BAD_REQUEST');
  });
});
