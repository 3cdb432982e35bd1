// Server-sent events at GET /notifications/stream: one event per created order or payment,
// written (and so flushed) the moment it happens, plus a heartbeat comment so idle
// connections stay open through proxies and load balancers.
import type { ServerResponse } from 'node:http';
import type { Context } from '../demo-kit/router.js';

const MAX_QUEUED_BYTES = 1024 * 1024;

export class NotificationHub {
  readonly #clients = new Set<ServerResponse>();
  readonly #heartbeat: NodeJS.Timeout;
  #nextId = 1;

  constructor(heartbeatMs: number) {
    this.#heartbeat = setInterval(() => this.#broadcast(': heartbeat\n\n'), heartbeatMs);
    this.#heartbeat.unref();
  }

  readonly handler = ({ res }: Context): void => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  };

  publish(event: string, data: unknown): void {
    this.#broadcast(`id: ${this.#nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends every open stream and stops the heartbeat. */
  close(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #broadcast(text: string): void {
    for (const res of this.#clients) {
      // A client that stopped reading is dropped rather than buffered without bound.
      if (res.writableLength > MAX_QUEUED_BYTES) res.destroy();
      else res.write(text);
    }
  }
}
