import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { jsonXmlPolicy } from './index.js';
import { jsonToXml } from './json-xml.js';

describe('json-xml', () => {
  it('converts objects, arrays, scalars, null, content keys and escapes text and names', () => {
    expect(jsonToXml('{"a":[1,2],"b":{"c":"x & <y>"},"n":null,"t":true}', 'root')).toBe(
      '<root><a>1</a><a>2</a><b><c>x &amp; &lt;y&gt;</c></b><n>null</n><t>true</t></root>',
    );
    expect(jsonToXml('{"e":{"content":"text","id":1},"1st key":"v","m":[[1]]}', 'r')).toBe(
      '<r><e>text<id>1</id></e><_1st_key>v</_1st_key><m><array>1</array></m></r>',
    );
    expect(() => jsonToXml('[1]', 'r')).toThrow('must be a JSON object');
    const deep = `${'{"a":'.repeat(120)}1${'}'.repeat(120)}`;
    expect(() => jsonToXml(deep, 'r')).toThrow('deeper than 100');
  });

  it('converts the request body with the default root element and sets Content-Type', async () => {
    const exec = new InMemoryExecutionContext({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"id":1}',
    });
    const instance = instantiate(jsonXmlPolicy, {});
    await instance.onRequest!(exec);
    expect(exec.request.currentBody.toString()).toBe('<root><id>1</id></root>');
    expect(exec.request.headers.get('content-type')).toEqual(['application/xml']);
  });

  it('interrupts with JSON_INVALID_PAYLOAD: 400 on the request, 500 on the response', async () => {
    const instance = instantiate(jsonXmlPolicy, { rootElement: 'order' });
    const request = new InMemoryExecutionContext({ body: 'nope' });
    await instance.onRequest!(request);
    expect(request.interruption).toEqual({
      status: 400,
      key: 'JSON_INVALID_PAYLOAD',
      message: 'Unable to transform invalid JSON payload to XML',
    });
    const response = new InMemoryExecutionContext({ response: { body: '"text"' } });
    await instance.onResponse!(response);
    expect(response.interruption).toMatchObject({ status: 500, key: 'JSON_INVALID_PAYLOAD' });
  });

  it('honours the v2 scope and refuses an invalid root element name', () => {
    expect(instantiate(jsonXmlPolicy, { scope: 'REQUEST' }).onResponse).toBeUndefined();
    expect(() => instantiate(jsonXmlPolicy, { rootElement: '1 bad' })).toThrow('/rootElement');
  });
});
