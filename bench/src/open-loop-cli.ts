import { parseArgs } from 'node:util';
import { runOpenLoop } from './open-loop.js';

/**
 * Entry of the fixed-rate load generator, run in its own process pinned to the load CPU:
 * `node open-loop-cli.js --url <url> --rate 1000 --duration 10 [--warmup 2] [--headers '{"x":"y"}']`.
 * Prints one line of JSON (an OpenLoopSlice, raw samples included).
 */
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    headers: { type: 'string', default: '{}' },
  },
});
if (!values.url) {
  console.error('usage: node open-loop-cli.js --url <url> [--rate 1000] [--duration 10] [--warmup 2] [--headers json]');
  process.exit(2);
}
const result = await runOpenLoop({
  url: values.url,
  rate: Number(values.rate),
  durationSec: Number(values.duration),
  warmupSec: Number(values.warmup),
  headers: JSON.parse(values.headers) as Record<string, string>,
});
console.log(JSON.stringify(result));
