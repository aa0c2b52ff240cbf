/**
 * The gateway's local copy of its synced state: the deployment snapshots it serves and the sync cursor, in one JSON
 * file, so that a gateway can start and serve while the configuration store is unreachable.
 *
 * Writes are atomic (a temp file in the same directory, fsync, rename, then a best-effort fsync of the directory),
 * asynchronous and debounced, and streamed in chunks so that even 10,000 definitions never hold the event loop for
 * long. The file holds API definitions (endpoint URLs, policy configurations): it is created with mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { JsonObject } from '@apim/core';
import type { Logger } from 'pino';

/** One served API: the Api row fields the gateway needs and the deployment snapshot it serves. */
export interface LocalApiEntry {
  api: { id: string; environmentId: string; organizationId?: string | null; name: string };
  deployment: { id: string; revision: number; createdAt: string; definition: JsonObject };
}

/**
 * An entry of the served state as the gateway keeps it for the local copy: parsed until its first write, then only its
 * compact JSON text (about 30 % smaller than the parsed snapshot, and never serialised twice).
 */
export class KeptLocalEntry {
  #entry: LocalApiEntry | undefined;
  #json: string | undefined;

  constructor(entry: LocalApiEntry) {
    this.#entry = entry;
  }

  /** The entry's JSON text; the parsed entry is released the first time. */
  json(): string {
    if (this.#json === undefined) {
      this.#json = JSON.stringify(this.#entry);
      this.#entry = undefined;
    }
    return this.#json;
  }
}

/** The content of the local state file. */
export interface LocalState {
  version: 1;
  /** When the file was written (gateway clock). */
  writtenAt: string;
  /** The sync cursor (createdAt of the newest API event handled, store clock). */
  cursor: string | null;
  apis: LocalApiEntry[];
}

/** Bytes gathered before each write of the streamed JSON. */
const CHUNK_BYTES = 256 * 1024;
const FILE_MODE = 0o600;

/**
 * Reads a local state file. Returns undefined when there is none; throws on an unreadable or malformed file.
 * Entries that are not well-formed are dropped (`skipped` counts them).
 *
 * @example const state = await readLocalState('./data/gateway-state.json');
 */
export async function readLocalState(path: string): Promise<{ state: LocalState; skipped: number } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<LocalState> | null;
  if (typeof parsed !== 'object' || parsed === null || parsed.version !== 1 || !Array.isArray(parsed.apis)) {
    throw new Error('not a version 1 gateway state file');
  }
  const apis = parsed.apis.filter(isEntry);
  const state: LocalState = {
    version: 1,
    writtenAt: typeof parsed.writtenAt === 'string' ? parsed.writtenAt : new Date(0).toISOString(),
    cursor: typeof parsed.cursor === 'string' ? parsed.cursor : null,
    apis,
  };
  return { state, skipped: parsed.apis.length - apis.length };
}

function isEntry(value: unknown): value is LocalApiEntry {
  const entry = value as Partial<LocalApiEntry> | null;
  const api = entry?.api;
  const deployment = entry?.deployment;
  return (
    typeof api?.id === 'string' &&
    typeof api.environmentId === 'string' &&
    typeof deployment?.id === 'string' &&
    typeof deployment.revision === 'number' &&
    typeof deployment.definition === 'object' &&
    deployment.definition !== null
  );
}

/**
 * Writes a local state file atomically: readers see the old file or the new one, never a part of it.
 *
 * @example await writeLocalState(path, { version: 1, writtenAt: new Date().toISOString(), cursor: null, apis: [] });
 */
export async function writeLocalState(
  path: string,
  state: Omit<LocalState, 'apis'> & { apis: readonly (LocalApiEntry | KeptLocalEntry)[] },
): Promise<void> {
  const header = JSON.stringify({ version: state.version, writtenAt: state.writtenAt, cursor: state.cursor });
  await writeJsonAtomically(path, header, {
    apis: state.apis.map((entry) => () => (entry instanceof KeptLocalEntry ? entry.json() : JSON.stringify(entry))),
  });
}

/**
 * Writes `header` (a JSON object's text) extended with `lists` (each item's JSON text, made on demand) to `path`
 * atomically: a temp file in the same directory (mode 0600), written in chunks so that large states never hold the
 * event loop for long, fsync, rename, then a best-effort fsync of the directory.
 */
export async function writeJsonAtomically(
  path: string,
  header: string,
  lists: Readonly<Record<string, readonly (() => string)[]>>,
): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temp = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temp, 'wx', FILE_MODE);
  try {
    await file.chmod(FILE_MODE); // whatever the umask
    let chunk = header.slice(0, -1);
    let first = header.length <= 2;
    for (const [name, items] of Object.entries(lists)) {
      chunk += `${first ? '' : ','}${JSON.stringify(name)}:[`;
      first = false;
      for (const [index, item] of items.entries()) {
        chunk += (index === 0 ? '\n' : ',\n') + item();
        if (chunk.length >= CHUNK_BYTES) {
          await writeAll(file, chunk);
          chunk = '';
        }
      }
      chunk += '\n]';
    }
    await writeAll(file, `${chunk}}\n`);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await file.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // Makes the rename itself durable; some platforms cannot fsync a directory, which only weakens durability.
  const dir = await open(directory, 'r').catch(() => undefined);
  await dir
    ?.sync()
    .catch(() => undefined)
    .finally(() => dir.close());
}

async function writeAll(file: Awaited<ReturnType<typeof open>>, text: string): Promise<void> {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; ) offset += (await file.write(bytes, offset)).bytesWritten;
}

/** Options of a {@link LocalStateWriter}. */
export interface LocalStateWriterOptions {
  path: string;
  /** Builds the state to write; called when a write starts. */
  snapshot: () => { cursor: string | null; apis: readonly (LocalApiEntry | KeptLocalEntry)[] };
  /** Delay between a change and the write, coalescing the changes meanwhile (default 1 s). */
  debounceMs?: number;
  logger: Logger;
}

/** Writes the local state file some time after changes, one write at a time; a failed write is retried. */
export class LocalStateWriter {
  readonly path: string;
  readonly #options: LocalStateWriterOptions;
  readonly #debounceMs: number;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #failing = false;
  #closed = false;
  /** Successful writes, and when the last one completed. */
  writes = 0;
  lastWriteAt: Date | undefined;

  constructor(options: LocalStateWriterOptions) {
    this.path = options.path;
    this.#options = options;
    this.#debounceMs = options.debounceMs ?? 1_000;
  }

  /** Schedules a write (debounced). */
  markDirty(): void {
    this.#dirty = true;
    this.#arm(this.#debounceMs);
  }

  /** Writes now when there are unwritten changes, and waits for any write in progress. */
  async flush(): Promise<void> {
    await this.#writing;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#dirty) await this.#write();
  }

  /** Writes what is unwritten and stops scheduling writes. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #arm(delayMs: number): void {
    if (this.#closed || this.#timer !== undefined || this.#writing !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#dirty) void this.#write();
    }, delayMs);
    this.#timer.unref();
  }

  #write(): Promise<void> {
    this.#writing ??= (async () => {
      this.#dirty = false;
      const state = { version: 1 as const, writtenAt: new Date().toISOString(), ...this.#options.snapshot() };
      try {
        await writeLocalState(this.path, state);
        this.writes++;
        this.lastWriteAt = new Date();
        if (this.#failing) this.#options.logger.info({ path: this.path }, 'local state file written again');
        this.#failing = false;
        this.#options.logger.debug({ path: this.path, apis: state.apis.length }, 'local state file written');
      } catch (error) {
        this.#dirty = true;
        if (!this.#failing) this.#options.logger.warn({ err: error, path: this.path }, 'cannot write local state file');
        this.#failing = true;
      }
    })().finally(() => {
      this.#writing = undefined;
      if (this.#dirty) this.#arm(this.#failing ? Math.max(this.#debounceMs, 5_000) : this.#debounceMs);
    });
    return this.#writing;
  }
}
