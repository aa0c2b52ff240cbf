import { describe, expect, it } from 'vitest';
import { parseXml, stringValue, XmlSyntaxError, xmlToValue } from './xml.js';
import { evaluateXPath, parseXPath, toText, XPathSyntaxError } from './xpath.js';

const ORDER = `<?xml version="1.0" encoding="UTF-8"?>
<!-- an order -->
<order id="o-1" xmlns:x="urn:x">
  <customer>Ada &amp; Co</customer>
  <items>
    <item sku="42" qty="2"><name>Widget</name><price>9.5</price></item>
    <item sku="43" qty="1"><name>Gadget</name><price>20</price></item>
    <item sku="44" qty="5"><name><![CDATA[<Thing>]]></name><price>1</price></item>
  </items>
  <x:note>hello</x:note>
</order>`;

const doc = parseXml(ORDER);
const nodes = (path: string) => evaluateXPath(parseXPath(path), doc, () => {});
const text = (path: string) => toText(nodes(path));
const all = (path: string) => {
  const v = nodes(path);
  return Array.isArray(v) ? v.map(stringValue) : v;
};

describe('XPath subset', () => {
  it.each<[string, unknown]>([
    ['/order/customer', 'Ada & Co'],
    ['/order/customer/text()', 'Ada & Co'],
    ['/order/@id', 'o-1'],
    ['/order/items/item[2]/name', 'Gadget'],
    ['/order/items/item[last()]/name', '<Thing>'],
    ["/order/items/item[@sku='43']/price", '20'],
    ['//item[@qty="5"]/@sku', '44'],
    ["//item[name='Widget']/@sku", '42'],
    ['//item[price > 10]/name', 'Gadget'],
    ["//item[@sku='42' and @qty='2']/name", 'Widget'],
    ["//item[@sku='1' or @qty='1']/name", 'Gadget'],
    ['//item[not(@missing)][1]/name', 'Widget'],
    ["//item[contains(name, 'adg')]/@sku", '43'],
    ["//item[starts-with(@sku, '4')][3]/@sku", '44'],
    ['//item[position() = 2]/@sku', '43'],
    ['.//price', '9.5'],
    ['//name/..//price', '9.5'],
    ['/order/items/item/./name', 'Widget'],
    ['/order/*[1]', 'Ada & Co'],
    ['//x:note', 'hello'],
    ['//note', 'hello'],
    ['//x:*', 'hello'],
    ['/order/missing', ''],
    ['count(//item)', '3'],
    ['string(/order/@id)', 'o-1'],
    ['normalize-space(/order/items/item[1])', 'Widget9.5'],
    ['local-name(//x:note)', 'note'],
    ['name(//x:note)', 'x:note'],
    ['boolean(//item)', 'true'],
    ['number(//item[1]/price)', '9.5'],
  ])('%s -> %j', (path, expected) => {
    expect(text(path)).toBe(expected);
  });

  it('returns node sets in document order', () => {
    expect(all('//item/@sku')).toEqual(['42', '43', '44']);
    expect(all('//@qty')).toEqual(['2', '1', '5']);
    expect(all('/order/items/item/name/text()')).toEqual(['Widget', 'Gadget', '<Thing>']);
    expect(all('/')).toHaveLength(1);
  });

  it.each([
    ['/a/[', 3],
    ['/a[', 3],
    ['//', 2],
    ['/a/b)', 4],
    ['count(/a, /b)', 0],
    ['/a/b ~', 6],
  ])('%s is a syntax error', (path) => {
    expect(() => parseXPath(path)).toThrow(XPathSyntaxError);
  });
});

describe('XML parser', () => {
  it('decodes entities, character references and CDATA', () => {
    const d = parseXml('<a t="&lt;&#65;&#x42;&quot;">x &gt; y<![CDATA[ & raw ]]></a>');
    expect(d.root.attributes[0]!.value).toBe('<AB"');
    expect(stringValue(d.root)).toBe('x > y & raw ');
  });

  it.each([
    ['<!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>', 'DOCTYPE'],
    ['<a>&x;</a>', 'unknown entity'],
    ['<a><b></a>', 'unexpected closing tag'],
    ['<a>', 'unclosed element'],
    ['<a/><b/>', 'more than one root'],
    ['text', 'text outside the root element'],
    ['', 'no root element'],
    ['<a x=1/>', 'quoted attribute value'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a><!-- never closed </a>', 'unterminated comment'],
    [`${'<a>'.repeat(300)}${'</a>'.repeat(300)}`, 'nested more than'],
  ])('refuses %j', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
    expect(() => parseXml(xml)).toThrow(message);
  });

  it('turns a document into nested maps for xmlContent', () => {
    const value = xmlToValue(parseXml('<foo a="1"><bar>something</bar><bar>else</bar><baz/></foo>'));
    expect(JSON.parse(JSON.stringify(value))).toEqual({ foo: { a: '1', bar: ['something', 'else'], baz: '' } });
    expect(Object.getPrototypeOf(value)).toBeNull();
    const proto = xmlToValue(parseXml('<__proto__><polluted>1</polluted></__proto__>'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(proto)).toEqual(['__proto__']);
  });
});
