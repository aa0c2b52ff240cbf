import { describe, expect, it } from 'vitest';
import { failure } from './gateway-error.js';
import {
  acceptedMediaTypes,
  compileResponseTemplates,
  renderTemplateBody,
  selectResponseTemplate,
  templateContentType,
} from './response-templates.js';

describe('acceptedMediaTypes', () => {
  it('orders ranges by quality, stable, without parameters, leaving q=0 out', () => {
    expect(
      acceptedMediaTypes('text/html;level=1, Application/JSON;q=0.5, text/xml;q=0.9, image/png;q=0, */*;q=0.1'),
    ).toEqual(['text/html', 'text/xml', 'application/json', '*/*']);
    expect(acceptedMediaTypes(' , ')).toEqual([]);
  });
});

describe('selectResponseTemplate', () => {
  const warnings: string[] = [];
  const templates = compileResponseTemplates(
    {
      API_KEY_MISSING: {
        'Application/Json': { status: 401, body: '{"missing":true}' },
        '*.*': { body: 'missing' },
      },
      ONLY_EXACT: { 'text/plain': { status: 400 } },
      DEFAULT: { '*/*': { status: 500, headers: { 'bad header': 'x', 'X-Ok': 'y' } } },
    },
    (message) => warnings.push(message),
  )!;

  it('picks the exact media type, then the wildcard, then DEFAULT', () => {
    expect(selectResponseTemplate(templates, 'API_KEY_MISSING', 'application/json')?.status).toBe(401);
    expect(selectResponseTemplate(templates, 'API_KEY_MISSING', 'text/html')?.body).toBe('missing');
    expect(selectResponseTemplate(templates, 'API_KEY_MISSING', undefined)?.body).toBe('missing');
    expect(selectResponseTemplate(templates, 'OTHER', 'application/json')?.status).toBe(500);
  });

  it('gives nothing when the key has templates but none for the client and no wildcard', () => {
    expect(selectResponseTemplate(templates, 'ONLY_EXACT', 'application/json')).toBeUndefined();
    expect(selectResponseTemplate(templates, 'ONLY_EXACT', 'text/plain;q=0.8')?.status).toBe(400);
  });

  it('skips invalid headers at compile time and reports them', () => {
    expect(selectResponseTemplate(templates, 'OTHER', undefined)?.headers).toEqual(['X-Ok', 'y']);
    expect(warnings).toEqual([
      'response template [DEFAULT][*/*]: header [bad header] is invalid or reserved and skipped',
    ]);
  });

  it('renders bodies literally and derives a content type', () => {
    const json = selectResponseTemplate(templates, 'API_KEY_MISSING', 'application/json')!;
    expect(renderTemplateBody(json, failure('GATEWAY_PLAN_UNRESOLVABLE'))?.toString()).toBe('{"missing":true}');
    expect(templateContentType(json, 'application/json')).toBe('application/json');
    const wildcard = selectResponseTemplate(templates, 'API_KEY_MISSING', 'text/html')!;
    expect(templateContentType(wildcard, 'text/html; charset=utf-8')).toBe('text/html');
    expect(templateContentType(wildcard, 'text/html, */*')).toBeUndefined();
    expect(templateContentType(wildcard, undefined)).toBeUndefined();
  });

  it('compiles nothing from nothing', () => {
    expect(compileResponseTemplates(undefined)).toBeUndefined();
    expect(compileResponseTemplates({})).toBeUndefined();
  });
});
