// A canary route whose canary has halted, its breaker towards the canary open: /users on `legacy`,
// its canary on `users`, which answers 500 to everything (breaker after 3 failures in a row, halt
// at an error rate over 0.5 from 5 requests); 8 requests forced to the canary (x-canary: on), the
// 5th of which halted it, the rest served by legacy.
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './servers.js';

export interface HaltedCanary {
  readonly proxy: TestProxy;
  close(): Promise<void>;
}

export async function haltedCanary(): Promise<HaltedCanary> {
  const legacy: Upstream = await startUpstream((_req, res) => res.end('legacy'));
  const users: Upstream = await startUpstream((_req, res) => res.writeHead(500).end('broken'));
  const proxy = await startProxy(
    upstreamsYaml({ legacy: legacy.url, users: users.url }) +
      'routes:\n  - prefix: /users\n    upstream: legacy\n    breaker: { consecutiveFailures: 3, halfOpenAfterMs: 600000 }\n    retry: { attempts: 1, on: [] }\n' +
      '    canary: { upstream: users, percent: 0, forceHeader: x-canary, halt: { maxErrorRate: 0.5, minRequests: 5, windowMs: 60000 } }\n',
  );
  for (let i = 0; i < 8; i++) await (await fetch(`${proxy.url}/users/${i}`, { headers: { 'x-canary': 'on' } })).arrayBuffer();
  return {
    proxy,
    close: async () => {
      await proxy.close();
      await Promise.all([legacy.close(), users.close()]);
    },
  };
}
