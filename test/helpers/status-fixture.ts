// Shared by the status tests: upstreams that answer alike (500 on a path with "boom"), a
// table with a route at each stage, and the traffic they all send.

import { startUpstream, upstreamsYaml } from './servers.js';

export const answering = (name: string) =>
  startUpstream((req, res) => {
    req.resume();
    const status = req.url!.includes('boom') ? 500 : 200;
    res.writeHead(status, { 'content-type': 'application/json', 'x-served-by': name }).end(JSON.stringify({ path: req.url }));
  });

/** The traffic every status test sends: 30 to /users (cut over, shadowing to legacy), 20 to
 *  /orders (legacy, shadowed to orders), 10 to / (3 of them 500), 4 to /gone (fallback). */
export async function sendTraffic(url: string): Promise<void> {
  const paths = [
    ...Array.from({ length: 30 }, (_, i) => `/users/${i}`),
    ...Array.from({ length: 20 }, (_, i) => `/orders/${i}`),
    ...Array.from({ length: 10 }, (_, i) => (i < 3 ? `/boom/${i}` : `/home/${i}`)),
    ...Array.from({ length: 4 }, (_, i) => `/gone/${i}`),
  ];
  for (const p of paths) {
    const r = await fetch(url + p);
    await r.arrayBuffer();
  }
}

export const statusYaml = (legacy: string, users: string, orders: string, gone: string): string =>
  upstreamsYaml({ legacy, users, orders, gone }) + `
routes:
  - prefix: /users
    upstream: users
    shadow: { upstream: legacy }
  - prefix: /orders
    upstream: legacy
    shadow: { upstream: orders }
  - prefix: /gone
    upstream: gone
    fallback: legacy
  - prefix: /
    upstream: legacy
`;

