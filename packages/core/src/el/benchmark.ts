/**
 * A micro-benchmark of the expression language (not a test): run `npx tsc -b && node packages/core/dist/el/benchmark.js`.
 * Prints nanoseconds per evaluation for typical gateway expressions, and the cost of a compilation (cache miss).
 */
import { createElContext } from './context.js';
import { compileExpression, compileTemplate, type ElCompiled, evaluate } from './expression.js';

const ctx = createElContext({
  request: {
    method: 'GET',
    path: '/v2/store/MyStore',
    contextPath: '/v2/',
    headers: { x: 'a', 'Content-Type': 'application/json', 'X-Forwarded-For': '10.1.2.3' },
    params: { name: ['Ada'] },
    content: '{"store":{"book":[{"title":"Moby Dick","price":8.99}]}}',
  },
  context: { attributes: { 'user-id': 'u-1' } },
});

function measure(label: string, fn: () => unknown, iterations = 1_000_000): void {
  for (let i = 0; i < 50_000; i++) fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const ns = ((performance.now() - start) * 1e6) / iterations;
  console.log(`${label.padEnd(72)} ${ns.toFixed(0).padStart(7)} ns/op`);
}

const cases: [string, ElCompiled][] = [
  ["#request.headers['x'][0] == 'a'", compileExpression("#request.headers['x'][0] == 'a'")],
  [
    "{#request.headers['X-Forwarded-For'][0].startsWith('10.')}",
    compileTemplate("{#request.headers['X-Forwarded-For'][0].startsWith('10.')}"),
  ],
  [
    "#request.method == 'GET' && #request.pathInfo.startsWith('/store')",
    compileExpression("#request.method == 'GET' && #request.pathInfo.startsWith('/store')"),
  ],
  ["Hello {#request.params['name'][0]}!", compileTemplate("Hello {#request.params['name'][0]}!")],
  [
    "{#context.attributes['user-id'] == null ? 'anonymous' : ...}",
    compileTemplate("{#context.attributes['user-id'] == null ? 'anonymous' : #context.attributes['user-id']}"),
  ],
  [
    "#jsonPath(#request.content, '$.store.book[0].title')",
    compileExpression("#jsonPath(#request.content, '$.store.book[0].title')"),
  ],
  ['plain text template (fast path)', compileTemplate('plain text')],
];
for (const [label, compiled] of cases)
  measure(label, () => evaluate(compiled, ctx), label.includes('jsonPath') ? 100_000 : 1_000_000);

let n = 0;
measure(
  'compile a new expression (cache miss)',
  () => compileExpression(`#request.headers['x${n++}'][0] == 'a'`),
  50_000,
);
