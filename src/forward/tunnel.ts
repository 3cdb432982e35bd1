// An upgraded connection: bytes both ways with backpressure (pipe), a half-close passed on, and
// either side's error or close ending the other. Bounded by silence: no byte either way for
// `idleMs` (the route's idleTimeoutMs; 0: none) closes both, as nginx's proxy_read_timeout does
// for a WebSocket (which also catches a client gone without a FIN). The client socket's own
// timer, re-armed by every read and write. Reports once, when both sockets are closed, how many
// bytes the upstream sent the client and whether the silence ended it.

import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export function tunnel(client: Duplex, upstream: Duplex, closed: (bytesToClient: number, idled: boolean) => void, idleMs = 0): void {
  let bytes = 0;
  let open = 2;
  let idled = false;
  const onClose = (): void => {
    client.destroy();
    upstream.destroy();
    if (--open === 0) closed(bytes, idled);
  };
  // A socket that errs is destroyed (then closes); the other goes with it in onClose.
  client.on('error', () => {}).once('close', onClose);
  upstream.on('error', () => {}).once('close', onClose);
  upstream.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  const timed = client as Duplex & Partial<Pick<Socket, 'setTimeout'>>;
  if (idleMs > 0 && timed.setTimeout !== undefined) {
    timed.setTimeout(idleMs, () => {
      idled = true;
      client.destroy();
    });
  }
  upstream.pipe(client);
  client.pipe(upstream);
}
