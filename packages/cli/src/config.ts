import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApimError, type FieldError } from '@apim/core';
import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';

const Port = (defaultPort: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort, description });
const Host = Type.String({ default: '0.0.0.0', description: 'Address to listen on.' });

/**
 * The configuration of every component, declared once: defaults, validation, the documentation in docs/configuration.md
 * and the environment overrides (`APIM_<SECTION>_<KEY>` in SCREAMING_SNAKE, e.g. `gateway.syncIntervalMs` is
 * `APIM_GATEWAY_SYNC_INTERVAL_MS`) all derive from it.
 */
export const ConfigSchema = Type.Object({
  dataDir: Type.String({
    default: './data',
    description: 'Folder for the embedded SQLite files and local state (env APIM_DATA_DIR).',
  }),
  log: Type.Object(
    {
      level: Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
        { default: 'info', description: 'Log level.' },
      ),
    },
    { default: {} },
  ),
  repository: Type.Object(
    {
      url: Type.String({
        default: '',
        description:
          'Configuration store: sqlite:<file>, postgres://user:pass@host:5432/db or mysql://user:pass@host:3306/db. ' +
          'Empty means sqlite:<dataDir>/apim.db.',
      }),
    },
    { default: {} },
  ),
  management: Type.Object(
    {
      enabled: Type.Boolean({ default: true, description: 'Run the management API (apim start).' }),
      port: Port(8083, 'Port of the management API.'),
      host: Host,
      adminPassword: Type.String({
        default: '',
        description:
          'Password of the admin user. Empty: generated at first start and printed once. Also APIM_ADMIN_PASSWORD.',
      }),
      customApiKeys: Type.Boolean({
        default: true,
        description: 'Subscribers may choose their API key (8 to 64 characters of A-Z a-z 0-9 _ . -).',
      }),
      sharedApiKeys: Type.Boolean({
        default: false,
        description: 'Applications may use one API key for all their API-key subscriptions (apiKeyMode SHARED).',
      }),
      apiKeyGracePeriodMs: Type.Integer({
        default: 7_200_000,
        minimum: 0,
        description: 'How long the old key of a renewal keeps working (milliseconds).',
      }),
    },
    { default: {} },
  ),
  gateway: Type.Object(
    {
      enabled: Type.Boolean({ default: true, description: 'Run the gateway (apim start).' }),
      port: Port(8082, 'Port of the gateway.'),
      host: Host,
      workers: Type.Integer({
        minimum: 0,
        default: 0,
        description:
          'Gateway worker processes sharing the port (one sync in the primary process feeds them). 0: one per ' +
          'available core; 1: a single process, no fork.',
      }),
      syncIntervalMs: Type.Integer({
        minimum: 50,
        default: 500,
        description: 'Interval between two incremental syncs from the repository.',
      }),
      environments: Type.Array(Type.String(), {
        default: [],
        description: 'Environment ids the gateway serves (comma-separated in the environment); empty means all.',
      }),
      organizations: Type.Array(Type.String(), {
        default: [],
        description: 'Organization ids whose environments the gateway serves; empty means all.',
      }),
      tags: Type.String({
        default: '',
        description:
          'Sharding tags, Gravitee syntax: "a,b" serves APIs tagged a or b, "!c" excludes APIs tagged c. Empty: all.',
      }),
      keepAliveTimeoutMs: Type.Integer({
        minimum: 0,
        default: 30_000,
        description: 'Idle time of a client keep-alive connection before the gateway closes it.',
      }),
      headersTimeoutMs: Type.Integer({
        minimum: 1,
        default: 30_000,
        description: 'Time for a client to send the request headers (408 past it).',
      }),
      requestTimeoutMs: Type.Integer({
        minimum: 0,
        default: 300_000,
        description: 'Time for a client to send the whole request, body included (408 past it; 0 disables it).',
      }),
      maxHeaderSize: Type.Integer({
        minimum: 1024,
        default: 16_384,
        description: 'Maximum size of the request line and headers in bytes (431 past it).',
      }),
      maxUriLength: Type.Integer({
        minimum: 0,
        default: 8192,
        description: 'Maximum length of the request target in bytes (414 past it; 0: no limit).',
      }),
      maxRequestBodySize: Type.Integer({
        minimum: 0,
        default: 0,
        description: 'Maximum request body in bytes, declared or streamed (413 past it; 0: unlimited).',
      }),
      maxConnections: Type.Integer({
        minimum: 0,
        default: 0,
        description: 'Maximum open client connections (503 beyond it; 0: unlimited).',
      }),
      via: Type.Boolean({ default: true, description: 'Add a Via header to upstream requests and responses.' }),
      transactionHeader: Type.String({
        default: 'X-Gravitee-Transaction-Id',
        description: 'Header carrying the transaction id (kept from the client when present).',
      }),
      transactionHeaderMode: Type.Union(
        ['override', 'merge', 'keep'].map((m) => Type.Literal(m)),
        {
          default: 'override',
          description: 'override, merge or keep a transaction id the client sent.',
        },
      ),
      requestIdHeader: Type.String({
        default: 'X-Gravitee-Request-Id',
        description: 'Header carrying the request id (new for every request).',
      }),
      requestIdHeaderMode: Type.Union(
        ['override', 'merge', 'keep'].map((m) => Type.Literal(m)),
        {
          default: 'override',
          description: 'override, merge or keep a request id the client sent.',
        },
      ),
      generateTraceparent: Type.Boolean({
        default: false,
        description: 'Generate a W3C traceparent when the client sent none (otherwise trace headers pass through).',
      }),
      tlsCert: Type.String({
        default: '',
        description:
          'Server certificate(s) for HTTPS on the gateway port: PEM file paths (comma-separated, one per key). Empty: ' +
          'plain HTTP. SNI picks the certificate whose names match.',
      }),
      tlsKey: Type.String({ default: '', description: 'Private key file(s) matching tlsCert, in the same order.' }),
      tlsClientAuth: Type.Union(
        ['none', 'request', 'required'].map((m) => Type.Literal(m)),
        {
          default: 'none',
          description: 'Client certificates (mTLS): none, request or required (then tlsCa is needed).',
        },
      ),
      tlsCa: Type.String({ default: '', description: 'Trust store (PEM file) for client certificates.' }),
      http2: Type.Boolean({ default: true, description: 'Offer HTTP/2 by ALPN on the TLS port.' }),
      http2Cleartext: Type.Boolean({
        default: false,
        description: 'Accept HTTP/2 with prior knowledge (h2c) beside HTTP/1.1 on a plain port.',
      }),
      websocket: Type.Boolean({ default: true, description: 'Relay WebSocket upgrades to the endpoints.' }),
      apiKeyHeader: Type.String({
        default: 'X-Gravitee-Api-Key',
        minLength: 1,
        description: 'Header carrying the API key of API-key plans.',
      }),
      apiKeyQueryParam: Type.String({
        default: 'api-key',
        minLength: 1,
        description: 'Query parameter carrying the API key when the header is absent.',
      }),
      rateLimitStore: Type.Union([Type.Literal('memory'), Type.Literal('redis')], {
        default: 'memory',
        description:
          'Counter store of the rate-limit, quota and spike-arrest policies: memory (one gateway; with several ' +
          'workers the counters live in the primary) or redis (shared by every gateway).',
      }),
      rateLimitRedisUrl: Type.String({
        default: 'redis://127.0.0.1:6379',
        description: 'Redis of the redis counter store (redis:// or rediss://, with password and db when needed).',
      }),
      rateLimitTimeoutMs: Type.Integer({
        default: 50,
        minimum: 1,
        description: "Longest wait for one counter decision; beyond it the policy's errorStrategy decides.",
      }),
      jwtKeysFile: Type.String({
        default: '',
        description:
          'JSON or YAML file listing the keys of JWT plans whose publicKeyResolver is GATEWAY_KEYS: ' +
          '[{ issuer?, kid?, key }] (key: PEM public key or certificate, JWK, or HMAC secret). Empty: none.',
      }),
      tcpEnabled: Type.Boolean({
        default: false,
        description: 'Serve TCP proxy APIs on their own TLS port (SNI picks the API; uses tlsCert and tlsKey).',
      }),
      tcpPort: Port(4082, 'Port of the TCP proxy server.'),
      localStatePath: Type.String({
        default: '',
        description:
          'File where the gateway keeps its last synced state, served when the repository is unreachable at start. ' +
          'Empty means <dataDir>/gateway-state.json; "off" disables it.',
      }),
    },
    { default: {} },
  ),
  node: Type.Object(
    {
      enabled: Type.Boolean({ default: true, description: 'Run the gateway node service (health, metrics, APIs).' }),
      port: Port(18082, 'Port of the gateway node service.'),
      host: Type.String({ default: '127.0.0.1', description: 'Address the node service listens on.' }),
      username: Type.String({ default: 'admin', description: 'User of the node service (HTTP Basic).' }),
      password: Type.String({
        default: '',
        description:
          'Password of the node service. Empty: a random one is generated at each start and printed; set it for ' +
          'monitoring.',
      }),
    },
    { default: {} },
  ),
  console: Type.Object({ port: Port(8084, 'Port of the console.') }, { default: {} }),
  portal: Type.Object({ port: Port(8085, 'Port of the developer portal.') }, { default: {} }),
  bridge: Type.Object({ port: Port(18092, 'Port of the bridge.') }, { default: {} }),
});

export type Config = Static<typeof ConfigSchema>;

/** Environment variables that are read besides the generated `APIM_<SECTION>_<KEY>` names. */
const ALIASES: Record<string, string> = {
  APIM_ADMIN_PASSWORD: 'management.adminPassword',
  APIM_REPOSITORY_URL: 'repository.url',
  APIM_LOG_LEVEL: 'log.level',
};

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: 'array', strict: false });
const validateConfig = ajv.compile<Config>(ConfigSchema);

/** `syncIntervalMs` -> `SYNC_INTERVAL_MS`. */
function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Every leaf setting with its dotted path, env variable name and schema. */
export function listSettings(
  schema: TObject = ConfigSchema,
  prefix: string[] = [],
): { path: string[]; env: string; schema: TSchema }[] {
  const out: { path: string[]; env: string; schema: TSchema }[] = [];
  for (const [key, sub] of Object.entries(schema.properties)) {
    const path = [...prefix, key];
    if (sub.type === 'object' && sub.properties) out.push(...listSettings(sub as TObject, path));
    else out.push({ path, env: `APIM_${path.map(snake).join('_')}`, schema: sub });
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function envValue(raw: string, schema: TSchema): unknown {
  if (schema.type === 'array') return raw === '' ? [] : raw.split(',').map((s) => s.trim());
  return raw; // ajv coerces numbers and booleans.
}

export interface LoadConfigOptions {
  /** Path of a YAML (or JSON) config file. Missing: `APIM_CONFIG`, else none. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values that win over the file but not over the environment (component defaults). */
  overrides?: Record<string, unknown>;
}

/**
 * Loads the configuration: schema defaults, then the YAML file, then the environment variables.
 * Throws an ApimError CONFIG_INVALID naming each wrong setting.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.APIM_CONFIG;
  let raw: Record<string, unknown> = structuredClone(options.overrides ?? {});
  if (file) {
    if (!existsSync(file)) throw new ApimError('CONFIG_INVALID', { message: `Config file not found: ${file}` });
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ApimError('CONFIG_INVALID', { message: `Cannot parse ${file}: ${(error as Error).message}` });
    }
    if (parsed != null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new ApimError('CONFIG_INVALID', { message: `${file} must hold a mapping of settings.` });
    }
    raw = mergeDeep(raw, (parsed ?? {}) as Record<string, unknown>);
  }
  const settings = listSettings();
  for (const setting of settings) {
    const value = env[setting.env];
    if (value !== undefined) setPath(raw, setting.path, envValue(value, setting.schema));
  }
  for (const [name, dotted] of Object.entries(ALIASES)) {
    const value = env[name];
    const path = dotted.split('.');
    const setting = settings.find((s) => s.path.join('.') === dotted);
    if (value !== undefined && setting) setPath(raw, path, envValue(value, setting.schema));
  }
  if (!validateConfig(raw)) {
    const details: FieldError[] = (validateConfig.errors ?? []).map((e) => ({
      path: e.instancePath || '/',
      message: e.message ?? 'is invalid',
    }));
    const summary = details.map((d) => `${d.path.slice(1).replaceAll('/', '.')} ${d.message}`).join('; ');
    throw new ApimError('CONFIG_INVALID', { message: `Invalid configuration: ${summary}`, details });
  }
  const config = raw as Config;
  config.dataDir = resolve(config.dataDir);
  if (!config.repository.url) config.repository.url = `sqlite:${resolve(config.dataDir, 'apim.db')}`;
  return config;
}

function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const prev = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && prev && typeof prev === 'object'
        ? mergeDeep(prev as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** The gateway's TLS listener settings from the configuration, or undefined for plain HTTP. */
export function gatewayTlsOptions(gateway: Config['gateway']):
  | {
      certificates: { cert: string; key: string }[];
      clientAuth: 'none' | 'request' | 'required';
      ca?: string;
    }
  | undefined {
  const split = (value: string) =>
    value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const certs = split(gateway.tlsCert);
  const keys = split(gateway.tlsKey);
  if (certs.length === 0 && keys.length === 0) return undefined;
  if (certs.length !== keys.length) {
    throw new ApimError('CONFIG_INVALID', {
      message: `gateway.tlsCert lists ${certs.length} certificate(s) but gateway.tlsKey lists ${keys.length} key(s).`,
    });
  }
  const clientAuth = gateway.tlsClientAuth as 'none' | 'request' | 'required';
  if (clientAuth !== 'none' && !gateway.tlsCa) {
    throw new ApimError('CONFIG_INVALID', { message: `gateway.tlsClientAuth ${clientAuth} needs gateway.tlsCa.` });
  }
  return {
    certificates: certs.map((cert, i) => ({ cert, key: keys[i] as string })),
    clientAuth,
    ...(gateway.tlsCa ? { ca: gateway.tlsCa } : {}),
  };
}

/** The repository URL with its password masked, for logs and banners. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:****@');
}

/** One key of `gateway.jwtKeysFile`. */
export interface JwtKeyEntry {
  issuer?: string;
  kid?: string;
  key: string;
}

/**
 * Reads `gateway.jwtKeysFile` (JSON or YAML: a list of `{ issuer?, kid?, key }`); none when the setting is empty.
 * Throws ApimError CONFIG_INVALID on an unreadable file or a malformed entry, naming it.
 *
 * @example gatewayJwtKeys('/etc/apim/jwt-keys.yaml') // [{ issuer: 'https://idp', kid: 'k1', key: '-----BEGIN PUBLIC KEY-----...' }]
 */
export function gatewayJwtKeys(file: string): JwtKeyEntry[] | undefined {
  if (file === '') return undefined;
  const invalid = (message: string) =>
    new ApimError('CONFIG_INVALID', { message: `gateway.jwtKeysFile (${file}): ${message}` });
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(resolve(file), 'utf8'));
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (!Array.isArray(parsed)) throw invalid('must be a list of { issuer?, kid?, key }');
  return parsed.map((entry: unknown, index) => {
    const { issuer, kid, key } = (entry ?? {}) as Record<string, unknown>;
    if (typeof key !== 'string' || key.trim() === '') throw invalid(`entry ${index}: key must be a non-empty string`);
    if (issuer !== undefined && typeof issuer !== 'string') throw invalid(`entry ${index}: issuer must be a string`);
    if (kid !== undefined && typeof kid !== 'string') throw invalid(`entry ${index}: kid must be a string`);
    return { key, ...(issuer === undefined ? {} : { issuer }), ...(kid === undefined ? {} : { kid }) };
  });
}
