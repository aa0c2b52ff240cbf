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
const method = (name: string, requestStream: boolean, responseStream: boolean) => ({
  path: `/test.Echo/${name}`,
  requestStream,
  responseStream,
  requestSerialize: toBuffer,
  requestDeserialize: fromBuffer,
  responseSerialize: toBuffer,
  responseDeserialize: fromBuffer,
});
const service = {
  unary: method('Unary', false, false),
  stream: method('Stream', false, true),
  collect: method('Collect', true, false),
  chat: method('Chat', true, true),
} as grpc.ServiceDefinition;
const EchoClient = grpc.makeGenericClientConstructor(service, 'Echo');
type Callback = (error: grpc.ServiceError | null, answer?: string) => void;
type Client = InstanceType<typeof EchoClient> & {
  unary(value: string, callback: Callback): void;
  unary(value: string, metadata: grpc.Metadata, callback: Callback): void;
  stream(value: string): grpc.ClientReadableStream<string>;
  collect(callback: Callback): grpc.ClientWritableStream<string>;
  chat(): grpc.ClientDuplexStream<string, string>;
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
    // Client streaming: counts what came once the client half-closed; `fail` is refused at once, mid-stream.
    collect: (call: grpc.ServerReadableStream<string, string>, callback: grpc.sendUnaryData<string>) => {
      const items: string[] = [];
      let bytes = 0;
      let failed = false;
      call.on('data', (item: string) => {
        if (failed) return;
        if (item === 'fail') {
          failed = true;
          callback({ code: grpc.status.INVALID_ARGUMENT, details: 'bad item' });
          return;
        }
        bytes += item.length;
        if (items.length < 5) items.push(item);
      });
      call.on('end', () => (failed ? undefined : callback(null, `${bytes} bytes: ${items.join('|')}`)));
    },
    // Bidirectional: one answer per message as it comes, a last one after the client half-closed.
    chat: (call: grpc.ServerDuplexStream<string, string>) => {
      let count = 0;
      call.on('data', (item: string) => {
        count++;
        call.write(item.length > 32 ? `size:${item.length}` : `echo:${item}`);
      });
      call.on('end', () => {
        call.write(`bye after ${count}`);
        call.end();
      });
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

/** A client-streaming call: writes `items` (waiting for the stream to drain when it asks to), then half-closes. */
function collect(client: Client, items: string[], end = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = client.collect((error, answer) => (error ? reject(error) : resolve(answer!)));
    const write = (i: number) => {
      for (; i < items.length; i++) {
        if (!call.write(items[i])) {
          call.once('drain', () => write(i + 1));
          return;
        }
      }
      if (end) call.end();
    };
    write(0);
  });
}

/** The next message of a bidirectional call. */
function next(call: grpc.ClientDuplexStream<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    call.once('data', resolve);
    call.once('error', reject);
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
    const client = await through('grpcs://');
    expect(await unary(client, 'tls')).toBe('hello tls');
    expect(await streamed(client, '3')).toEqual(['item-0', 'item-1', 'item-2']);
    await expect(unary(client, 'missing')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'no such thing',
    });
  });
});

/** How the gateway reaches the gRPC upstream: h2c, or h2 over TLS with a `grpcs://` or `https://` + HTTP_2 target. */
type Route = 'grpc:// (h2c)' | 'grpcs://' | 'https:// with HTTP_2';

/** A gRPC upstream and a gateway routing to it as `route` says, and a client of the gateway. */
async function through(route: Route): Promise<Client> {
  if (route === 'grpc:// (h2c)') {
    const { port: upstream } = await startUpstream();
    const gw = await startListener(
      cleanups,
      { http2Cleartext: true },
      snapshot({ paths: [{ path: '/test.Echo' }], targets: [`grpc://127.0.0.1:${upstream}/test.Echo`] }),
    );
    return clientOf(gw.port);
  }
  const local = certs.issue('grpc-upstream', 'localhost', ['localhost']);
  const { port: upstream } = await startUpstream(
    grpc.ServerCredentials.createSsl(null, [
      { cert_chain: Buffer.from(local.cert), private_key: Buffer.from(local.key) },
    ]),
  );
  const scheme = route === 'grpcs://' ? 'grpcs' : 'https';
  const definition = snapshot({
    paths: [{ path: '/test.Echo' }],
    targets: [`${scheme}://localhost:${upstream}/test.Echo`],
    http: scheme === 'https' ? { version: 'HTTP_2' } : {},
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
  return client;
}

describe.each<Route>(['grpc:// (h2c)', 'grpcs://', 'https:// with HTTP_2'])('gRPC through a %s endpoint', (route) => {
  it('relays unary and server-streaming calls and error statuses (trailers)', async () => {
    const client = await through(route);
    expect(await unary(client, 'world')).toBe('hello world');
    expect(await streamed(client, '3')).toEqual(['item-0', 'item-1', 'item-2']);
    await expect(unary(client, 'missing')).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'no such thing',
    });
    expect(await unary(client, 'after')).toBe('hello after');
  });

  it('relays client-streaming calls, the answer coming after the half-close', async () => {
    const client = await through(route);
    expect(await collect(client, ['a', 'bb', 'ccc'])).toBe('6 bytes: a|bb|ccc');
    expect(await collect(client, [])).toBe('0 bytes: ');
    // 16 MiB in 256 messages: more than the HTTP/2 flow-control windows, so the body goes with backpressure.
    const big = Array.from({ length: 256 }, (_, i) => String(i % 10).repeat(64 * 1024));
    expect(await collect(client, big)).toBe(`${256 * 64 * 1024} bytes: ${big.slice(0, 5).join('|')}`);
  }, 20_000);

  it('relays an error status the upstream sends while the client is still streaming', async () => {
    const client = await through(route);
    await expect(collect(client, ['a', 'fail'], false)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'bad item',
    });
    expect(await collect(client, ['still', 'fine'])).toBe('9 bytes: still|fine');
  });

  it('relays bidirectional calls message by message, then the half-close both ways', async () => {
    const client = await through(route);
    const call = client.chat();
    // Each answer comes before the next message is sent: nothing waits for the end of the request.
    call.write('one');
    expect(await next(call)).toBe('echo:one');
    call.write('two');
    expect(await next(call)).toBe('echo:two');
    const status = new Promise<grpc.StatusObject>((resolve) => call.once('status', resolve));
    call.end();
    expect(await next(call)).toBe('bye after 2');
    expect((await status).code).toBe(grpc.status.OK);
  });

  it('relays large bidirectional exchanges both ways at once', async () => {
    const client = await through(route);
    const call = client.chat();
    const answers: string[] = [];
    call.on('data', (item: string) => answers.push(item));
    const finished = new Promise<void>((resolve, reject) => {
      call.once('status', (status: grpc.StatusObject) =>
        status.code === grpc.status.OK ? resolve() : reject(new Error(status.details)),
      );
    });
    const chunk = 'x'.repeat(100 * 1024);
    for (let i = 0; i < 100; i++) {
      if (!call.write(chunk)) await new Promise((resolve) => call.once('drain', resolve));
    }
    call.end();
    await finished;
    expect(answers).toHaveLength(101);
    expect(answers[0]).toBe(`size:${chunk.length}`);
    expect(answers.at(-1)).toBe('bye after 100');
  }, 20_000);
});
