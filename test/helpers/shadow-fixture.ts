// Shared by the shadow report tests: a table with two shadowed routes and a fixed clock.

import { upstreamsYaml } from './servers.js';

/** /orders and /users shadowed (to upstreams that all point at `url`), and a catch-all. */
export const shadowedRoutesYaml = (url: string): string =>
  upstreamsYaml({ legacy: url, orders: url, users: url }) + `
routes:
  - prefix: /orders
    upstream: legacy
    shadow: { upstream: orders }
  - prefix: /users
    upstream: legacy
    shadow: { upstream: users }
  - prefix: /
    upstream: legacy
`;

/** The i-th second after 2025-03-04T05:00:00Z, as ISO. */
export function at(i: number): string {
  return new Date(Date.UTC(2025, 2, 4, 5, 0, 0) + i * 1000).toISOString();
}
