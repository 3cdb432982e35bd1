// An upgraded connection: bytes both ways with backpressure (pipe), a half-close passed on, and
// either side's error or close ending the other. Reports once, when both sockets are closed, how
// many bytes the upstream sent the client.

import type { Duplex } from 'node:stream';

export function tunnel(client: Duplex, upstream: Duplex, closed: (bytesToClient: number) => void): void {
  let bytes = 0;
  let open = 2;
  const onClose = (): void => {
    client.destroy();
    upstream.destroy();
    if (--open === 0) closed(bytes);
  };
  // A socket that errs is destroyed (then closes); the other goes with it in onClose.
  client.on('error', () => {}).once('close', onClose);
  upstream.on('error', () => {}).once('close', onClose);
  upstream.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  upstream.pipe(client);
  client.pipe(upstream);
}
