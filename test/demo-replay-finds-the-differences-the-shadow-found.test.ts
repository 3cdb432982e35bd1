// Issue 16's loop in the demo: the repository's routes.yaml records /orders while shadowing it to
// the orders service; `strangler replay` of that recording against the orders service (straight,
// not through the proxy) finds the same differing paths as the live shadow report, and fails the
// gate (exit 1), as the README's "before you deploy: replay in CI" step says.

import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { startDemoStack, type DemoStack } from './helpers/demo-stack.js';
import { recordedLines } from './helpers/recorded-lines.js';

let stack: DemoStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

interface RouteReport {
  readonly route: string;
  readonly summary: { readonly compared: number; readonly mismatch: number; readonly topPaths: readonly { readonly path: string }[] };
}

describe('the demo, recorded and replayed', () => {
  it('replays the recorded /orders reads to the orders service and finds the paths the shadow found', async () => {
    stack = await startDemoStack();
    const sent = await stack.traffic(200);
    expect(sent.failed).toBe(0);
    const file = path.join(path.dirname(stack.proxy.file), 'capture', 'orders.jsonl');
    // Every shadow comparison and every recorded line lands a moment after its answer: wait for both.
    const shadowed = async (): Promise<RouteReport> => {
      for (;;) {
        const body = (await (await fetch(`${stack!.proxy.adminUrl}/shadow/report`)).json()) as { routes: RouteReport[] };
        const orders = body.routes.find((r) => r.route === '/orders');
        if (orders !== undefined && orders.summary.compared > 0) return orders;
        await new Promise((r) => setImmediate(r));
      }
    };
    const live = await shadowed();
    await stack.proxy.proxy.recorders.writerOf(file)?.flushed();
    const lines = await recordedLines(file);
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines.map((l) => l.route))).toEqual(new Set(['/orders']));

    const r = await cli(['replay', file, '--target', stack.urls.orders, '--config', stack.proxy.file, '--json']);
    expect(r.code).toBe(1); // the orders service still differs: the gate fails
    const out = JSON.parse(r.out) as { routes: RouteReport[]; gate: { pass: boolean } };
    const replayed = out.routes.find((x) => x.route === '/orders')!;
    expect(replayed.summary.compared).toBe(lines.length);
    expect(replayed.summary.mismatch).toBeGreaterThan(0);
    const livePaths = new Set(live.summary.topPaths.map((p) => p.path));
    const replayPaths = new Set(replayed.summary.topPaths.map((p) => p.path));
    for (const p of ['$.userId', '$.user_id', '$.createdAt', 'status']) {
      expect(livePaths).toContain(p);
      expect(replayPaths).toContain(p);
    }
  }, 60_000);
});
