import { describe, expect, it } from 'vitest';
import { parseStoreUrl, redact } from './url.js';

describe('parseStoreUrl', () => {
  it.each([
    ['sqlite:./data/apim.db', { kind: 'sqlite', filename: './data/apim.db' }],
    ['sqlite:data/apim.db', { kind: 'sqlite', filename: 'data/apim.db' }],
    ['sqlite:///var/lib/apim.db', { kind: 'sqlite', filename: '/var/lib/apim.db' }],
    ['sqlite::memory:', { kind: 'sqlite', filename: ':memory:' }],
    ['file:./data/apim.db', { kind: 'sqlite', filename: './data/apim.db' }],
    ['file:///var/lib/apim.db', { kind: 'sqlite', filename: '/var/lib/apim.db' }],
    ['postgres://u:p@db:5432/apim', { kind: 'postgres', url: 'postgres://u:p@db:5432/apim' }],
    ['postgresql://db/apim?sslmode=require', { kind: 'postgres', url: 'postgresql://db/apim?sslmode=require' }],
    ['mysql://root@db:3306/apim', { kind: 'mysql', url: 'mysql://root@db:3306/apim' }],
    ['mariadb://root@db:3306/apim', { kind: 'mysql', url: 'mysql://root@db:3306/apim' }],
  ])('parses %s', (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it.each(['redis://localhost', 'apim.db', 'sqlite:', ''])('rejects %j with CONFIG_INVALID', (url) => {
    expect(() => parseStoreUrl(url)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('hides passwords in messages', () => {
    expect(redact('postgres://apim:s3cret@db/apim')).toBe('postgres://apim:***@db/apim');
    expect(() => parseStoreUrl('redis://u:s3cret@h')).toThrow(/u:\*\*\*@h/);
  });
});
