// A worker (a replacement, or one of the first) compiles and listens before it serves, and drops
// the steps and halts the primary sends meanwhile. Once it says it is ready, the primary sends it
// the current steps and its halts again: a progressive canary halted while the worker started,
// and a fixed canary halted before it was forked (a halt is relayed to ready workers only), are
// both halted in it. The primary's side is this process's WorkerGroup; the worker is the built
// CLI (dist/src/main.js) forked by node:cluster. The halt is sent when the worker has just been
// handed its config (it then starts), so it lands while the worker starts.
import cluster from 'node:cluster';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UpstreamPools } from '../src/forward/pools.js';
import type { Logger } from '../src/observability/logger.js';
import { Metrics } from '../src/observability/metrics.js';
import { canaryHalts, stepSnapshots } from '../src/routing/canary-steps.js';
import { Reloader } from '../src/routing/reloader.js';
import type { StatusCells } from '../src/status/cells.js';
import { validOf } from '../src/workers/group-admin.js';
import { WorkerGroup } from '../src/workers/group.js';
import { startUpstream, upstreamsYaml, writeConfig, type Upstream } from './helpers/servers.js';

const quiet = { error() {}, warn() {}, info() {}, debug() {} } as unknown as Logger;
const pools = new UpstreamPools();
let main: Upstream, next: Upstream;
let group: WorkerGroup | undefined;
afterAll(async () => {
  await group?.stop(10_000);
  pools.destroy();
  await Promise.all([main?.close(), next?.close()]);
});

describe('a worker that starts while the primary halts a canary', () => {
  it('runs the halt once it serves, and a halt made before it was forked too', async () => {
    main = await startUpstream((_req, res) => res.end('primary'));
    next = await startUpstream((_req, res) => res.end('canary'));
    const file = await writeConfig(
      upstreamsYaml({ main: main.url, next: next.url }) +
        'routes:\n' +
        '  - prefix: /p\n    upstream: main\n    canary: { upstream: next, steps: [10, 50, 100], stepEveryMs: 60000 }\n' +
        '  - prefix: /f\n    upstream: main\n    canary: { upstream: next, percent: 50, halt: { maxErrorRate: 0.5, minRequests: 3, windowMs: 60000 } }\n',
    );
    const metrics = new Metrics();
    const store = await new Reloader({ file, env: {}, pools, metrics, logger: quiet }).start();
    const routeOf = (label: string) => store.current.routes.find((r) => r.label === label)!;
    // A worker gone since halted /f (the primary's table followed); this worker is forked after.
    expect(routeOf('/f').state.canaryHalt!.haltFrom({ at: new Date().toISOString(), reason: 'error rate 1.000 over 3 requests' })).toBe(true);

    cluster.setupPrimary({ exec: path.resolve('dist/src/main.js'), args: ['--config', file, '--port', '0', '--host', '127.0.0.1'], execArgv: [], silent: true });
    let handedConfig = false;
    const g = (group = new WorkerGroup({
      count: 1, logger: quiet, metrics,
      current: () => {
        if (!handedConfig) {
          handedConfig = true;
          // Right after the config goes out (the worker now starts): a gate halts /p and the primary tells the workers.
          setImmediate(() => {
            const halted = routeOf('/p').state.canaryProgress!.apply(
              { result: 'halt', reason: 'error rate 1 > maxErrorRate 0.01', figures: { requests: 20, errorRate: 1, p99Ms: 5, primaryRequests: 180, primaryP99Ms: 5 } },
              Date.now(),
            );
            expect(halted).not.toBeNull();
            g.canarySteps(stepSnapshots(store.current));
          });
        }
        return validOf(store.current);
      },
      steps: () => stepSnapshots(store.current),
      halts: () => canaryHalts(store.current),
      onHalt: () => {},
    }));
    await g.start();
    const [cells] = await g.ask<StatusCells>('status', 10_000);
    const live = new Map(cells!.live.map((l) => [l.route, l]));
    expect(live.get('/p')?.progress).toMatchObject({ state: 'halted', percent: 0 });
    expect(live.get('/p')?.halted?.reason).toBe(routeOf('/p').state.canaryHalt!.halted!.reason);
    expect(live.get('/f')?.halted?.reason).toBe('error rate 1.000 over 3 requests');
  });
});
