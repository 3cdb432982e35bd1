// The drill's steady load: C keep-alive clients (one undici Pool of C connections, C loops), each
// sending GET <path> as soon as its previous response has ended. Every request is recorded in
// send order: when it was sent, when it ended, and which upstream answered it (or that it failed:
// a non-2xx status, a socket error, a timeout, or a response that does not name one upstream).
import { Pool } from 'undici';

export const FAILED = -1;

export interface LoadRecord {
  /** performance.now() when each request was sent; index = send order. */
  readonly sentAt: number[];
  /** performance.now() when it ended (NaN while in flight). */
  readonly doneAt: number[];
  /** Index into `names` of the upstream that answered, or FAILED. */
  readonly who: number[];
  readonly names: readonly string[];
  /** Failure reasons with counts, e.g. `HTTP 502`, `UND_ERR_SOCKET`. */
  readonly failures: Map<string, number>;
}

export interface LoadOptions {
  readonly origin: string;
  readonly path: string;
  readonly clients: number;
  readonly timeoutMs: number;
  /** Upstream names a response may carry (header x-upstream and body). */
  readonly names: readonly string[];
}

export interface Load {
  readonly record: LoadRecord;
  /** Stops sending, waits for the requests in flight, closes the connections. */
  stop(): Promise<void>;
}

export function startLoad(o: LoadOptions): Load {
  const record: LoadRecord = { sentAt: [], doneAt: [], who: [], names: o.names, failures: new Map() };
  const pool = new Pool(o.origin, { connections: o.clients, pipelining: 1, keepAliveTimeout: 30_000 });
  const index = new Map(o.names.map((n, i) => [n, i]));
  let stopping = false;

  const fail = (i: number, reason: string): void => {
    record.who[i] = FAILED;
    record.failures.set(reason, (record.failures.get(reason) ?? 0) + 1);
  };

  const loop = async (): Promise<void> => {
    while (!stopping) {
      const i = record.sentAt.length;
      record.sentAt.push(performance.now());
      record.doneAt.push(Number.NaN);
      record.who.push(FAILED);
      try {
        const res = await pool.request({ path: o.path, method: 'GET', headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs });
        const body = await res.body.text();
        const header = res.headers['x-upstream'];
        const who = typeof header === 'string' ? index.get(header) : undefined;
        if (res.statusCode < 200 || res.statusCode > 299) fail(i, `HTTP ${res.statusCode}`);
        else if (who === undefined || body !== `${header}\n`) fail(i, `unexpected answer (x-upstream ${String(header)}, body ${JSON.stringify(body.slice(0, 40))})`);
        else record.who[i] = who;
      } catch (err) {
        const e = err as { code?: string; message?: string };
        fail(i, e.code ?? e.message ?? String(err));
      }
      record.doneAt[i] = performance.now();
    }
  };

  const loops = Array.from({ length: o.clients }, () => loop());
  return {
    record,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      await pool.close();
    },
  };
}
