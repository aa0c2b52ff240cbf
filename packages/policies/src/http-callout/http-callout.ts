import { isIP } from 'node:net';
import { ElMultiValueMap, type ExecutionContext, evaluate, type PolicyInstance } from '@apim/core';
import { Agent, request } from 'undici';
import { evaluateTextIn, templateValue } from '../common/el-values.js';
import { guardedLookup, isPrivateAddress, PrivateAddressError } from '../common/private-address.js';
import { inScope } from '../common/schema-parts.js';
import type { HttpCalloutConfig } from './schema.js';

/** The call failed (connection, timeout, refused address, answer too large): 500, as Gravitee. */
export const CALLOUT_HTTP_ERROR = 'CALLOUT_HTTP_ERROR';
/** The error condition was true with `exitOnError`. */
export const CALLOUT_EXIT_ON_INVALID_RESPONSE = 'CALLOUT_EXIT_ON_INVALID_RESPONSE';

/** What `#calloutResponse` exposes to the templates. */
interface CalloutResponse {
  status: number;
  headers: ElMultiValueMap;
  content: string;
}

async function readBody(body: AsyncIterable<Buffer>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw new Error(`the answer is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Calls an HTTP service during the exchange and maps its answer into attributes. Templates are compiled once, and
 * one undici Agent (with the timeouts and, when enabled, the private-address guard on DNS results) serves every call.
 */
export function createHttpCallout(config: Readonly<HttpCalloutConfig>): PolicyInstance {
  const url = templateValue(config.url);
  const body = config.body === undefined ? undefined : templateValue(config.body);
  const headers = config.headers.map((h) => ({ name: h.name, value: templateValue(h.value) }));
  const variables = config.variables.map((v) => ({ name: v.name, value: templateValue(v.value) }));
  const errorCondition = templateValue(config.errorCondition);
  const errorContent = templateValue(config.errorContent ?? '');
  const errorStatus = Number(config.errorStatusCode);
  const agent = new Agent({
    connectTimeout: config.connectTimeout,
    headersTimeout: config.readTimeout,
    bodyTimeout: config.readTimeout,
    ...(config.blockPrivateAddresses ? { connect: { lookup: guardedLookup } } : {}),
  });

  async function send(exec: ExecutionContext): Promise<CalloutResponse> {
    const el = () => exec.el();
    const target = new URL(evaluateTextIn(url, el) ?? '');
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      throw new Error(`unsupported protocol ${target.protocol}`);
    if (config.blockPrivateAddresses && isIP(target.hostname.replace(/^\[|\]$/g, '')) !== 0) {
      if (isPrivateAddress(target.hostname)) throw new PrivateAddressError(target.hostname, target.hostname);
    }
    const requestHeaders: Record<string, string> = {};
    for (const h of headers) {
      const value = evaluateTextIn(h.value, el);
      if (value !== null) requestHeaders[h.name] = value;
    }
    const payload = body === undefined ? undefined : (evaluateTextIn(body, el) ?? '');
    const answer = await request(target, {
      dispatcher: agent,
      method: config.method,
      headers: requestHeaders,
      body: payload === '' || config.method === 'GET' || config.method === 'HEAD' ? undefined : payload,
    });
    const content = await readBody(answer.body, config.maxResponseSize);
    return {
      status: answer.statusCode,
      headers: ElMultiValueMap.from(answer.headers as Record<string, string | string[]>, { caseInsensitive: true }),
      content,
    };
  }

  async function callout(exec: ExecutionContext): Promise<void> {
    if (config.fireAndForget) {
      send(exec).catch((e: unknown) => exec.logger.warn({ err: e }, 'http-callout: fire-and-forget call failed'));
      return;
    }
    let calloutResponse: CalloutResponse;
    try {
      calloutResponse = await send(exec);
    } catch (e) {
      exec.logger.warn({ err: e }, 'http-callout: call failed');
      return exec.interrupt({ status: 500, key: CALLOUT_HTTP_ERROR, message: (e as Error).message });
    }
    const el = () => {
      const base = exec.el();
      return { ...base, variables: { ...base.variables, calloutResponse } };
    };
    try {
      if (config.exitOnError) {
        const failed =
          typeof errorCondition === 'string' ? errorCondition === 'true' : evaluate(errorCondition, el()) === true;
        if (failed)
          return exec.interrupt({
            status: errorStatus,
            key: CALLOUT_EXIT_ON_INVALID_RESPONSE,
            message: evaluateTextIn(errorContent, el) ?? '',
          });
      }
      for (const v of variables)
        exec.attributes.set(v.name, typeof v.value === 'string' ? v.value : evaluate(v.value, el()));
    } catch (e) {
      return exec.interrupt({ status: 500, key: CALLOUT_HTTP_ERROR, message: (e as Error).message });
    }
  }

  const instance: PolicyInstance = {};
  if (inScope(config.scope, 'REQUEST')) instance.onRequest = callout;
  if (inScope(config.scope, 'RESPONSE')) instance.onResponse = callout;
  return instance;
}
