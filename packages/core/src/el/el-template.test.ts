import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  compileTemplate,
  createElContext,
  ElEvaluationError,
  evaluate,
  evaluateCondition,
  evaluateToString,
} from './index.js';

const ctx = createElContext({
  request: {
    id: 'req-1',
    method: 'GET',
    headers: { 'X-Multi': ['a', 'b'], 'X-Flag': 'true' },
    params: { name: ['Ada'] },
  },
  context: { attributes: { count: 3, missing: null } },
  variables: { list: [1, 2] },
});

const run = (template: string) => evaluate(compileTemplate(template), ctx);

describe('templates', () => {
  it('return text without blocks as it is, without evaluating anything', () => {
    const text = 'plain {text} with "quotes" and { "json": true } and {Tom}';
    const compiled = compileTemplate(text);
    expect(compiled.isLiteral).toBe(true);
    expect(evaluate(compiled, ctx)).toBe(text);
    expect(run('')).toBe('');
  });

  it('return the typed value of a template that is exactly one block', () => {
    expect(run("{#context.attributes['count']}")).toBe(3);
    expect(run("{#request.method == 'GET'}")).toBe(true);
    expect(run('{#list}')).toEqual([1, 2]);
    expect(run('{#context.attributes.missing}')).toBeNull();
    expect(run('{ #request.id }')).toBe('req-1');
    expect(run('{(1 + 2)}')).toBe(3);
    expect(run('{T(Math).max(1, 2)}')).toBe(2);
  });

  it('concatenate text and blocks into a string, null blocks printing nothing', () => {
    expect(run("Hello {#request.params['name'][0]}!")).toBe('Hello Ada!');
    expect(run('{#request.id}{#request.id}')).toBe('req-1req-1');
    expect(run(' {#request.id}')).toBe(' req-1');
    expect(run('[{#context.attributes.missing}]')).toBe('[]');
    expect(run("h={#request.headers['X-Multi']}")).toBe('h=a,b');
    expect(run('n={#context.attributes.count}, ok={#list.size() == 2}')).toBe('n=3, ok=true');
  });

  it('keep braces that do not open a block', () => {
    expect(run('{{#request.id}}')).toBe('{req-1}');
    expect(run('{"id": "{#request.id}", "n": {#context.attributes[\'count\']}}')).toBe('{"id": "req-1", "n": 3}');
    expect(run('{\t"status": "OK"  }')).toBe('{\t"status": "OK"  }');
    expect(run('} stray {')).toBe('} stray {');
  });

  it('find the end of a block across nested brackets and string literals', () => {
    expect(run("{#request.id == '}'}")).toBe(false);
    expect(run("{'{'.length()} x")).toBe("{'{'.length()} x");
    expect(run("{('}{'.length())}")).toBe(2);
    expect(run('{({1, 2}).size()}')).toBe(2);
    expect(run("{#list.?[#this > 1].![#this + '}']}")).toEqual(['2}']);
    expect(run("{({a: 'it''s'})['a']}")).toBe("it's");
  });

  it('are cached by source text', () => {
    expect(compileTemplate('{#request.id}')).toBe(compileTemplate('{#request.id}'));
    expect(compileExpression('#request.id')).toBe(compileExpression('#request.id'));
  });

  it('are frozen', () => {
    const compiled = compileTemplate('{#request.id}');
    expect(Object.isFrozen(compiled)).toBe(true);
  });
});

describe('evaluateCondition', () => {
  it.each([
    ["{#request.method == 'GET'}", true],
    ["{#request.method == 'POST'}", false],
    ['true', true],
    ['false', false],
    ['', false],
    ['{#context.attributes.missing}', false],
    ['{#nothing}', false],
    ["{('yes')}", true],
    ["{('off')}", false],
    ["{#request.headers['X-Flag']}", true],
    ["{#request.headers['X-Flag'][0]}", true],
  ])('%s -> %s', (template, expected) => {
    expect(evaluateCondition(compileTemplate(template), ctx)).toBe(expected);
  });

  it('refuses values that are not booleans', () => {
    for (const t of ['{(42)}', '{#list}', "{('maybe')}", 'some text'])
      expect(() => evaluateCondition(compileTemplate(t), ctx), t).toThrow(ElEvaluationError);
  });

  it('propagates evaluation errors for the caller to decide', () => {
    expect(() => evaluateCondition(compileTemplate('{#nothing.length() > 0}'), ctx)).toThrow(
      expect.objectContaining({ code: 'EL_NULL_REFERENCE' }),
    );
  });
});

describe('evaluateToString', () => {
  it('converts as Gravitee does for string settings', () => {
    expect(evaluateToString(compileTemplate("{#request.headers['X-Multi']}"), ctx)).toBe('a,b');
    expect(evaluateToString(compileTemplate('{#nothing}'), ctx)).toBe('');
    expect(evaluateToString(compileTemplate('{#context.attributes.count}'), ctx)).toBe('3');
    expect(evaluateToString(compileTemplate("{{'a': {1, 2}}}"), ctx)).toBe("{{'a': {1, 2}}}");
    expect(evaluateToString(compileTemplate("{({'a': {1, 2}})}"), ctx)).toBe('{a=[1, 2]}');
    expect(evaluateToString(compileExpression("{'a': {1, 2}}"), ctx)).toBe('{a=[1, 2]}');
    expect(evaluateToString(compileExpression('{1.5, true, null}'), ctx)).toBe('1.5,true,null');
  });
});
