// The open-loop generator's HTTP/2 side (open-loop.ts --h2): node:http2 client sessions, each
// request a stream on the next session in turn. Not undici's allowH2: at 3,000 req/s its HTTP/2
// client saturated the load core (the generator lagged tens of ms and fell behind the rate, to
// ~2,100 req/s against nginx), so the HTTP/2 rows measured the generator's bursts, not the proxy.
//
// At most C streams are open at once (C: the number of sessions), as the HTTP/1.1 rows' C
// connections carry at most C requests: a request that finds C open waits here, in order, and
// that wait counts in its latency (open-loop.ts times from the due time). Unbounded, the streams
// piled up in the proxy instead whenever the load core fell behind (it runs the upstream and the
// generators): in the paired HTTP/2 row, with this core 97% busy, strangler held ~5,600 streams
// open (median 1 s), which V8 promoted to its old space, so that row measured a proxy under a
// backlog the HTTP/1.1 row's proxy never sees.
import http2, { constants, type ClientHttp2Session } from 'node:http2';

/** What one request reports back. */
export interface Answer {
  head(status: number): void;
  data(bytes: number): void;
  /** null: the answer is complete. */
  done(err: Error | null): void;
}

interface Waiting {
  /** null: aborted before it was sent. */
  answer: Answer | null;
  /** Once sent: how to abort its stream. */
  abort: ((err: Error) => void) | null;
}

export class H2Sender {
  readonly #origin: string;
  readonly #ca: Buffer | undefined;
  readonly #sessions: ClientHttp2Session[] = [];
  readonly #headers: http2.OutgoingHttpHeaders;
  #next = 0;
  #closing = false;
  /** Streams open now, and the requests waiting for one to end (at most #sessions.length open). */
  #open = 0;
  readonly #waiting: Waiting[] = [];

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

  /** Sends one GET (once fewer than C streams are open); returns how to abort it. */
  send(a: Answer): (err: Error) => void {
    if (this.#open < this.#sessions.length) return this.#start(a) ?? (() => {});
    const w: Waiting = { answer: a, abort: null };
    this.#waiting.push(w);
    return (err) => {
      if (w.abort !== null) return w.abort(err);
      w.answer = null; // (not sent yet: never will be; open-loop.ts settles it itself)
    };
  }

  /** A stream ended: the first request still waiting takes its place. */
  #ended(): void {
    this.#open--;
    for (let w = this.#waiting.shift(); w !== undefined; w = this.#waiting.shift()) {
      if (w.answer === null) continue;
      w.abort = this.#start(w.answer);
      if (w.abort !== null) return;
    }
  }

  /** Opens its stream; null when that failed at once (the answer is told so). */
  #start(a: Answer): ((err: Error) => void) | null {
    this.#open++;
    const session = this.#sessions[this.#next]!;
    this.#next = (this.#next + 1) % this.#sessions.length;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(this.#headers, { endStream: true });
    } catch (err) {
      this.#open--;
      a.done(err as Error);
      return null;
    }
    stream.on('response', (h) => a.head(Number(h[':status'])));
    stream.on('data', (chunk: Buffer) => a.data(chunk.length));
    stream.on('end', () => a.done(null));
    stream.on('error', (err) => a.done(err));
    stream.on('close', () => {
      if (stream.rstCode !== constants.NGHTTP2_NO_ERROR) a.done(new Error(`stream reset (${stream.rstCode})`));
      this.#ended();
    });
    return () => stream.close(constants.NGHTTP2_CANCEL);
  }

  close(): void {
    this.#closing = true;
    this.#waiting.length = 0;
    for (const s of this.#sessions) s.destroy();
  }
}
