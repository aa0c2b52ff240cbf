/** An HTTP error from the management API, with the status and the body it sent. */
export class ManagementError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

/**
 * A minimal client of the management API over HTTP with Basic auth, as a script written for Gravitee would use it.
 *
 * @example
 * const client = new ManagementClient('http://127.0.0.1:8083', 'admin', 'secret');
 * const api = await client.json<{ id: string }>('POST', '/management/v2/environments/DEFAULT/apis/_import/definition', def);
 */
export class ManagementClient {
  private readonly authorization: string;

  constructor(
    readonly baseUrl: string,
    user: string,
    password: string,
  ) {
    this.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  /** Sends a request (JSON body unless `contentType` says otherwise) and returns the raw response text and status. */
  async request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { authorization: this.authorization, accept: 'application/json' };
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = contentType;
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: payload,
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, text: await response.text() };
  }

  /** Like {@link request}, but fails on a non-2xx status and parses the JSON answer (undefined for an empty body). */
  async json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const { status, text } = await this.request(method, path, body, contentType);
    if (status < 200 || status >= 300) {
      throw new ManagementError(`${method} ${path} answered ${status}: ${text.slice(0, 500)}`, status, text);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
