// HTTP/2 to the API server, as kubectl speaks it: one TLS connection carries every request
// of a command, so a command that reads eleven lists at once makes one TLS handshake, not
// eleven (about 80 ms of `status` on two cores, client and server together).
import type {
  ClientHttp2Session,
  ClientHttp2Stream,
  IncomingHttpHeaders,
  OutgoingHttpHeaders,
  SecureClientSessionOptions,
} from 'node:http2';

const http2 = (): typeof import('node:http2') => process.getBuiltinModule('node:http2');

/** The server does not speak HTTP/2 (no `h2` in its TLS handshake): use HTTP/1.1 instead. */
export class NoHttp2 extends Error {}

/** An answer: status and headers, and the stream its body arrives on. */
export type H2Answer = ClientHttp2Stream & { statusCode: number; headers: IncomingHttpHeaders };

/** What one request sends. */
export interface H2Request {
  method: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
  /** No answer (or no data of a streamed answer) within this long destroys the stream with `timeout()`; 0 for none. */
  timeoutMs: number;
  timeout(): Error;
  signal?: AbortSignal;
}

/**
 * One HTTP/2 session to one server with one TLS configuration, opened on first use and
 * again after the server closes it. The session does not keep the process alive while no
 * request is open, so a command exits without closing it.
 */
export class H2Connection {
  readonly #authority: string;
  readonly #options: SecureClientSessionOptions;
  #session: Promise<ClientHttp2Session> | undefined;
  /** The session of {@link #session}, from the moment it starts connecting. */
  #raw: ClientHttp2Session | undefined;
  #open = 0;

  constructor(authority: string, options: SecureClientSessionOptions) {
    this.#authority = authority;
    this.#options = options;
  }

  async request(req: H2Request): Promise<H2Answer> {
    const session = await this.#connect();
    const headers: OutgoingHttpHeaders = { ':method': req.method, ':path': req.path };
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name.toLowerCase()] = value;
    const stream = session.request(headers, {
      endStream: req.body === undefined,
      ...(req.signal === undefined ? {} : { signal: req.signal }),
    });
    this.#open++;
    session.ref();
    stream.once('close', () => {
      if (--this.#open === 0 && !session.destroyed) session.unref();
    });
    if (req.timeoutMs > 0) stream.setTimeout(req.timeoutMs, () => stream.destroy(req.timeout()));
    return new Promise<H2Answer>((resolve, reject) => {
      stream.once('error', reject);
      stream.once('response', (h) => {
        stream.off('error', reject);
        resolve(Object.assign(stream, { statusCode: Number(h[':status']), headers: h }));
      });
      if (req.body !== undefined) stream.end(req.body);
    });
  }

  /** Closes the session once its open requests are done. */
  close(): void {
    void this.#session?.then((s) => s.close(), () => undefined);
    this.#session = undefined;
  }

  /** Ends the session now, connecting or not: its open requests fail. */
  destroy(): void {
    this.#raw?.destroy();
    this.#raw = undefined;
    this.#session = undefined;
  }

  #connect(): Promise<ClientHttp2Session> {
    if (this.#session !== undefined) return this.#session;
    const pending = new Promise<ClientHttp2Session>((resolve, reject) => {
      const session = http2().connect(this.#authority, this.#options);
      this.#raw = session;
      let connected = false;
      const forget = (): void => {
        if (this.#session === pending) this.#session = undefined;
      };
      session.once('connect', (_s, socket) => {
        // A server that ignores ALPN answers HTTP/2's preface with an HTTP/1.1 error.
        if ((socket as { alpnProtocol?: string | false }).alpnProtocol !== 'h2') {
          session.destroy();
          reject(new NoHttp2('the server did not choose h2'));
          return;
        }
        connected = true;
        session.unref();
        resolve(session);
      });
      session.on('error', (err: NodeJS.ErrnoException) => {
        forget();
        // One that knows ALPN but not h2 refuses the handshake with "no application protocol".
        if (!connected) reject(err.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' ? new NoHttp2(err.message) : err);
      });
      session.once('goaway', forget);
      session.once('close', () => {
        forget();
        if (!connected) reject(new Error('the connection closed during the TLS handshake'));
      });
    });
    this.#session = pending;
    pending.catch(() => undefined);
    return pending;
  }
}
