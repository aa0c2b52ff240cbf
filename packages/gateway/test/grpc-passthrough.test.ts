import type { JsonObject } from '@apim/core';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from './helpers.js';
import { cleanupList } from './server-helpers.js';
import { makeCertificates, startListener, type TestCertificates } from './tls-helpers.js';

const cleanups = cleanupList();
afterEach(() => cleanups.run());
let certs: TestCertificates;
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(() => certs.remove());

// A service without .proto files: UTF-8 strings as messages.
const toBuffer = (value: string) => Buffer.from(value, 'utf8');
const fromBuffer = (buffer: Buffer) => buffer.toString('utf8');
const method = (name: string, responseStream: boolean) => ({
  path: `/test.Echo/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: toBuffer,
  requestDeserialize: fromBuffer,
  responseSerialize: toBuffer,
  responseDeserialize: fromBuffer,
});
const service = { unary: method('Unary', false), stream: method('Stream', true) } as grpc.ServiceDefinition;
const EchoClient = grpc.makeGenericClientConstructor(service, 'Echo');
type Client = InstanceType<typeof EchoClient> & {
  unary(value: string, callback: (error: grpc.ServiceError | null, answer?: string) => void): void;
  unary(
    value: string,
    metadata: grpc.Metadata,
    callback: (error: grpc.ServiceError | null, answer?: string) => void,
  ): void;
  stream(value: string): grpc.ClientReadableStream<string>;
};

async function startUpstream(
  credentials = grpc.ServerCredentials.createInsecure(),
  address = '127.0.0.1:0',
): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(service, {
    unary: (call: grpc.ServerUnaryCall<string, string>, callback: grpc.sendUnaryData<string>) => {
      if (call.request === 'missing') {
        callback({ code: grpc.status.NOT_FOUND, details: 'no such thing' });
        return;
      }
      const seen = call.metadata.get('x-custom')[0] ?? '';
      callback(null, `hello ${call.request}${seen === '' ? '' : ` (${seen})`}`);
    },
    stream: (call: grpc.ServerWritableStream<string, string>) => {
      const count = Number(call.request);
      for (let i = 0; i < count; i++) call.write(`item-${i}`);
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  cleanups.add(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  return { port, server };
}

function unary(client: Client, value: string, metadata = new grpc.Metadata()): Promise<string> {
  return new Promise((resolve, reject) =>
    client.unary(value, metadata, (error, answer) => (error ? reject(error) : resolve(answer!))),
  );
}

function streamed(client: Client, value: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const items: string[] = [];
    const call = client.stream(value);
    call.on('data', (item: string) => items.push(item));
    call.on('error', reject);
    call.on('end', () => resolve(items));
  });
}

function clientOf(port: number): Client {
  const client = new EchoClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as Client;
  cleanups.add(async () => client.close());
  return client;
}

describe('gRPC passthrough', () => {
  it('relays unary and server-streaming calls from an h2c listener to a grpc:// (h2c) endpoint', async () => {
    const { port: upstream } = await startUpstream();
    const gw = await startListener(
      cleanups,
      { http2Cleartext: true },
      snapshot({ paths: [{ path: '/test.Echo' }], targets: [`grpc://127.0.0.1:${upstream}/test.Echo`] }),
    );
    const client = clientOf(gw.port);
    const metadata = new grpc.Metadata();
    metadata.set('x-custom', 'meta');
    expect(await unary(client, 'world', metadata)).toBe('hello world (meta)');
    expect(await unary(client, 'again')).toBe('hello again'); // the upstream session is reused
    expect(await streamed(client, '5')).toEqual(['item-0', 'item-1', 'item-2', 'item-3', 'item-4']);
    expect(await streamed(client, '0')).toEqual([]);
  });

  it('relays the upstream gRPC status and message (trailers)', async () => {
    const { port: upstream } = await startUpstream();
    const gw = await startListener(
      cleanups,
      { http2Cleartext: true },
      snapshot({ paths: [{ path: '/test.Echo' }], targets: [`grpc://127.0.0.1:${upstream}/test.Echo`] }),
    );
    const client = clientOf(gw.port);
    await expect(unary(client, 'missing')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'no such thing',
    });
    expect(await unary(client, 'after')).toBe('hello after');
  });

  it('uses h2c for http:// endpoints with http.version HTTP_2, and reconnects after the upstream restarted', async () => {
    const first = await startUpstream();
    const upstream = first.port;
    const gw = await startListener(
      cleanups,
      { http2Cleartext: true },
      snapshot({
        paths: [{ path: '/test.Echo' }],
        targets: [`http://127.0.0.1:${upstream}/test.Echo`],
        http: { version: 'HTTP_2' },
      }),
    );
    const client = clientOf(gw.port);
    expect(await streamed(client, '2')).toEqual(['item-0', 'item-1']);
    expect(await unary(client, 'h2c')).toBe('hello h2c');
    first.server.forceShutdown(); // the gateway's session to it closes
    await new Promise((resolve) => setTimeout(resolve, 50));
    await startUpstream(grpc.ServerCredentials.createInsecure(), `127.0.0.1:${upstream}`);
    expect(await unary(client, 'back')).toBe('hello back');
  });

  it('relays to a grpcs:// endpoint (h2 over TLS, trust store) from a TLS listener, trailers included', async () => {
    const local = certs.issue('grpc-upstream', 'localhost', ['localhost']);
    const { port: upstream } = await startUpstream(
      grpc.ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(local.cert), private_key: Buffer.from(local.key) },
      ]),
    );
    const definition = snapshot({
      paths: [{ path: '/test.Echo' }],
      targets: [`grpcs://localhost:${upstream}/test.Echo`],
    });
    const group = (definition.api as { endpointGroups: { sharedConfiguration: JsonObject }[] }).endpointGroups[0]!;
    group.sharedConfiguration.ssl = { trustStore: { type: 'PEM', content: certs.ca } };
    const gw = await startListener(
      cleanups,
      { tls: { certificates: [{ cert: certs.server.cert, key: certs.server.key }] } },
      definition,
    );
    const client = new EchoClient(`127.0.0.1:${gw.port}`, grpc.credentials.createSsl(Buffer.from(certs.ca)), {
      'grpc.ssl_target_name_override': 'api.example.com',
      'grpc.default_authority': 'api.example.com',
    }) as Client;
    cleanups.add(async () => client.close());
    expect(await unary(client, 'tls')).toBe('hello tls');
    expect(await streamed(client, '3')).toEqual(['item-0', 'item-1', 'item-2']);
    await expect(unary(client, 'missing')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'no such thing',
    });
  });
});
