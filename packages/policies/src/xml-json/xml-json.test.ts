import { describe, expect, it } from 'vitest';
import { InMemoryExecutionContext, instantiate } from '../testing/index.js';
import { xmlJsonPolicy } from './index.js';
import { xmlToJson } from './xml-json.js';

describe('xml-json', () => {
  it('converts elements, attributes, repeated elements, mixed text and typed values', () => {
    expect(xmlToJson('<?xml version="1.0"?><a x="1"><b>t</b><b>2</b><c/><d>true</d><e>007</e></a>')).toBe(
      '{"a":{"x":1,"b":["t",2],"c":"","d":true,"e":"007"}}',
    );
    expect(xmlToJson('<p id="a">hello &amp; <![CDATA[<bye>]]></p>')).toBe('{"p":{"id":"a","content":"hello & <bye>"}}');
  });

  it('refuses DOCTYPE and external entities (no XXE)', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
    expect(() => xmlToJson(xxe)).toThrow('DOCTYPE and other declarations are not allowed');
    expect(() => xmlToJson('<r>&x;</r>')).toThrow('unknown entity &x;');
  });

  it('converts the response body and sets Content-Type', async () => {
    const exec = new InMemoryExecutionContext({
      response: { headers: { 'Content-Type': 'text/xml' }, body: '<user><name>Ada</name></user>' },
    });
    const instance = instantiate(xmlJsonPolicy, { scope: 'RESPONSE' });
    expect(instance.onRequest).toBeUndefined();
    await instance.onResponse!(exec);
    expect(exec.response.currentBody.toString()).toBe('{"user":{"name":"Ada"}}');
    expect(exec.response.headers.toRecord()).toEqual({ 'Content-Type': 'application/json' });
  });

  it('interrupts with XML_INVALID_PAYLOAD: 400 on the request, 500 on the response', async () => {
    const instance = instantiate(xmlJsonPolicy, {});
    const request = new InMemoryExecutionContext({ body: '<a><b></a>' });
    await instance.onRequest!(request);
    expect(request.interruption).toEqual({
      status: 400,
      key: 'XML_INVALID_PAYLOAD',
      message: 'Unable to transform invalid XML payload to JSON',
    });
    const response = new InMemoryExecutionContext({ response: { body: '<!DOCTYPE a><a/>' } });
    await instance.onResponse!(response);
    expect(response.interruption).toMatchObject({ status: 500, key: 'XML_INVALID_PAYLOAD' });
    expect(response.response.currentBody.toString()).toBe('<!DOCTYPE a><a/>');
  });
});
