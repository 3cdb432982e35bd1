// The drill's two upstreams, in the drill process: node:http with keep-alive, each answering
// every request with its own name, in a header (`x-upstream: blue`) and as the body (`blue\n`),
// so a response says which upstream served it, twice.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NamedUpstream {
  readonly name: string;
  readonly url: string;
  /** Requests it has answered so far. */
  served(): number;
  close(): Promise<void>;
}

export async function startNamedUpstream(name: string): Promise<NamedUpstream> {
  const body = Buffer.from(`${name}\n`);
  const headers = { 'content-type': 'text/plain', 'content-length': String(body.length), 'x-upstream': name };
  let served = 0;
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    served++;
    req.resume();
    res.writeHead(200, headers);
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    served: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
