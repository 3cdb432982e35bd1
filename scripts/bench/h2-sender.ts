// The open-loop generator's HTTP/2 side (open-loop.ts --h2): node:http2 client sessions, each
// request a stream on the next session in turn. Not undici's allowH2: at 3,000 req/s its HTTP/2
// client saturated the load core (the generator lagged tens of ms and fell behind the rate, to
// ~2,100 req/s against nginx), so the HTTP/2 rows measured the generator's bursts, not the proxy.
import http2, { constants, type ClientHttp2Session } from 'node:http2';

/** What one request reports back. */
export interface Answer {
  head(status: number): void;
  data(bytes: number): void;
  /** null: the answer is complete. */
  done(err: Error | null): void;
}

export class H2Sender {
  readonly #origin: string;
  readonly #ca: Buffer | undefined;
  readonly #sessions: ClientHttp2Session[] = [];
  readonly #headers: http2.OutgoingHttpHeaders;
  #next = 0;
  #closing = false;

  /** `headers`: sent with every request besides the pseudo-headers (`host` becomes :authority). */
  constructor(origin: string, path: string, connections: number, headers: Record<string, string>, ca: Buffer | undefined) {
    this.#origin = origin;
    this.#ca = ca;
    const rest: http2.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'host') rest[k.toLowerCase()] = v;
    this.#headers = { ':method': 'GET', ':path': path, ':authority': headers['host'] ?? new URL(origin).host, ...rest };
    for (let i = 0; i < connections; i++) this.#sessions.push(this.#connect(i));
  }

  #connect(i: number): ClientHttp2Session {
    const s = http2.connect(this.#origin, this.#ca ? { ca: this.#ca } : {});
    s.on('error', () => {}); // each stream on it reports the failure
    // A session the server closed (GOAWAY, idle timeout) is replaced for the requests after it.
    s.once('close', () => {
      if (this.#sessions[i] === s && !this.#closing) this.#sessions[i] = this.#connect(i);
    });
    return s;
  }

  /** Sends one GET; returns how to abort it. */
  send(a: Answer): (err: Error) => void {
    const session = this.#sessions[this.#next]!;
    this.#next = (this.#next + 1) % this.#sessions.length;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(this.#headers, { endStream: true });
    } catch (err) {
      a.done(err as Error);
      return () => {};
    }
    stream.on('response', (h) => a.head(Number(h[':status'])));
    stream.on('data', (chunk: Buffer) => a.data(chunk.length));
    stream.on('end', () => a.done(null));
    stream.on('error', (err) => a.done(err));
    stream.on('close', () => {
      if (stream.rstCode !== constants.NGHTTP2_NO_ERROR) a.done(new Error(`stream reset (${stream.rstCode})`));
    });
    return () => stream.close(constants.NGHTTP2_CANCEL);
  }

  close(): void {
    this.#closing = true;
    for (const s of this.#sessions) s.destroy();
  }
}
