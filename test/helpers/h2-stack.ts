// The stack most h2 tests stand up: an upstream, a proxy in front of it (routes.yaml given), a TLS
// front offering h2, and one client session on it; all closed after each test.

import type { ClientHttp2Session } from 'node:http2';
import { afterEach } from 'vitest';
import { h2Connect } from './h2-client.js';
import { startTlsFront, type TlsFront } from './h2-front.js';
import { startProxy, type TestProxy } from './servers.js';

export interface H2Stack {
  readonly proxy: TestProxy;
  readonly front: TlsFront;
  readonly session: ClientHttp2Session;
}

/** Call at a test file's top level: `start(upstream, yaml)` in a test; everything closes after it. */
export function h2Stack(): { start(upstream: { close(): Promise<void> }, yaml: string): Promise<H2Stack> } {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  return {
    async start(upstream, yaml) {
      open.push(upstream);
      const proxy = await startProxy(yaml);
      open.push(proxy);
      const front = await startTlsFront(proxy);
      open.push(front);
      const session = await h2Connect(front.url, front.ca);
      open.push({ close: async () => void session.destroy() });
      return { proxy, front, session };
    },
  };
}
