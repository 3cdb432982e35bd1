// A request body is kept for a retry when it fits server.maxBufferBytes; with many concurrent
// uploads to routes with policies nothing bounded them all together (N x up to 16 MiB, held for
// as long as each client took to send). A process-wide budget now does: past it a body streams
// through unkept, exactly as one over maxBufferBytes does (no resend once the upstream read it),
// and each kept body is given back when its response closes.
import { afterEach, describe, expect, it } from 'vitest';
import { BodyBudget } from '../src/policies/body-budget.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';

let up: Upstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

describe('request bodies kept for a retry', () => {
  it('are kept within the budget, streamed unkept past it, and given back when their response closes', async () => {
    const seen: string[] = [];
    up = await startUpstream((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const first = !seen.includes(body);
        seen.push(body);
        res.writeHead(first ? 503 : 200).end(first ? 'busy' : `took ${body}`); // each body fails once
      });
    });
    const budget = new BodyBudget(10);
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + 'routes:\n  - { prefix: /, upstream: app, retry: { attempts: 2, backoffMs: 1, on: [503] } }\n', { bodies: budget });
    const post = (body: string) => fetch(proxy!.url + '/upload', { method: 'POST', body, headers: { 'idempotency-key': body } });

    const kept = await post('hello'); // 5 bytes: within the budget, kept, sent again
    expect([kept.status, await kept.text()]).toEqual([200, 'took hello']);

    const unkept = await post('x'.repeat(20)); // within maxBufferBytes, past the budget: streamed
    expect([unkept.status, await unkept.text()]).toEqual([503, 'busy']);
    expect(seen.filter((b) => b === 'x'.repeat(20))).toHaveLength(1);

    const again = await post('y'.repeat(8)); // room again (hello's 5 bytes were given back: 5 + 8 > 10): kept
    expect([again.status, await again.text()]).toEqual([200, `took ${'y'.repeat(8)}`]);
  });
});
