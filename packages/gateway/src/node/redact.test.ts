import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('masks fields named like secrets, keeps flags, numbers and ordinary fields', () => {
    const input = {
      target: 'https://backend',
      password: 'p',
      keyPassword: 'kp',
      clientSecret: 'cs',
      accessToken: 'at',
      apiKey: 'ak',
      'x-api-key': 'xk',
      privateKey: 'pk',
      authorization: 'Basic abc',
      credentials: { user: 'u', pass: 'p' },
      tokenTtl: 60,
      useApiKey: true,
      key: 'rate-limit-key',
      emptyPassword: '',
      nested: [{ secret: 's', name: 'n' }],
    };
    expect(redactSecrets(input)).toEqual({
      target: 'https://backend',
      password: REDACTED,
      keyPassword: REDACTED,
      clientSecret: REDACTED,
      accessToken: REDACTED,
      apiKey: REDACTED,
      'x-api-key': REDACTED,
      privateKey: REDACTED,
      authorization: REDACTED,
      credentials: REDACTED,
      tokenTtl: 60,
      useApiKey: true,
      key: 'rate-limit-key',
      emptyPassword: '',
      nested: [{ secret: REDACTED, name: 'n' }],
    });
  });

  it('masks sensitive headers, encrypted or secret-named properties, and key/trust store contents', () => {
    const input = {
      headers: [
        { name: 'Authorization', value: 'Bearer t' },
        { name: 'X-Api-Key', value: 'k' },
        { name: 'Accept', value: 'application/json' },
      ],
      properties: [
        { key: 'a', value: 'visible', encrypted: false },
        { key: 'b', value: 'hidden', encrypted: true },
        { key: 'db-password', value: 'hidden' },
      ],
      ssl: {
        trustAll: false,
        trustStore: { type: 'PKCS12', content: 'base64', password: 'p', path: '/etc/truststore.p12' },
        keyStore: { type: 'PEM', certPath: '/etc/cert.pem', keyContent: 'KEY', alias: '' },
      },
    };
    expect(redactSecrets(input)).toEqual({
      headers: [
        { name: 'Authorization', value: REDACTED },
        { name: 'X-Api-Key', value: REDACTED },
        { name: 'Accept', value: 'application/json' },
      ],
      properties: [
        { key: 'a', value: 'visible', encrypted: false },
        { key: 'b', value: REDACTED, encrypted: true },
        { key: 'db-password', value: REDACTED },
      ],
      ssl: {
        trustAll: false,
        trustStore: { type: 'PKCS12', content: REDACTED, password: REDACTED, path: '/etc/truststore.p12' },
        keyStore: { type: 'PEM', certPath: '/etc/cert.pem', keyContent: REDACTED, alias: '' },
      },
    });
  });

  it('does not modify its input', () => {
    const input = { password: 'p', list: [{ token: 't' }] };
    redactSecrets(input);
    expect(input).toEqual({ password: 'p', list: [{ token: 't' }] });
  });
});
