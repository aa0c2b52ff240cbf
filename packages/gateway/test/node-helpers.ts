/**
 * Helpers of the node service tests: authenticated calls and a small Prometheus text parser.
 */
import { type RawResponse, send } from './helpers.js';

export const NODE_USER = 'admin';
export const NODE_PASSWORD = 'n0de-s3cret-pa55';

/** Basic credentials header value. */
export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** GET on the node service with the test credentials (or the given Authorization header, or none with `null`). */
export function nodeGet(port: number, path: string, authorization: string | null = basic(NODE_USER, NODE_PASSWORD)) {
  return send(port, { path, headers: authorization === null ? {} : { authorization } });
}

/** The JSON body of a response. */
export const json = <T = Record<string, unknown>>(res: RawResponse) => JSON.parse(res.body.toString()) as T;

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the samples of a Prometheus text exposition (comments skipped). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (match === null) throw new Error(`unparsable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name whose labels include `labels`; undefined when there is none. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
