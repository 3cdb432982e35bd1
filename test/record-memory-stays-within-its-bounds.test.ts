// What recording holds in memory is bounded: the writer's queue bound counts the batch being
// written (a stalled disk does not let a second queue build up), a line larger than the whole
// bound is `too_large` (not `queue_full`), and a route records at most record.maxConcurrent
// exchanges at once (the others are not recorded: `busy`).

import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordFileSystem } from '../src/record/file-system.js';
import { RecordWriter, type RecordDropReason } from '../src/record/writer.js';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { flushed, metricValue, recordedLines, send } from './helpers/recorded-lines.js';

let up: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

function stalledWriter(): { w: RecordWriter; drops: RecordDropReason[]; writes: number[] } {
  const drops: RecordDropReason[] = [];
  const writes: number[] = [];
  const fs: RecordFileSystem = {
    open: () => Promise.resolve({ size: 0, file: { write: (d) => (writes.push(d.length), new Promise<void>(() => undefined)), close: () => Promise.resolve() } }),
    siblings: () => Promise.resolve([]),
    rename: () => Promise.resolve(),
  };
  const w = new RecordWriter('/x/a.jsonl', 1e9, {
    fs, clock: { now: () => 0 }, maxQueuedBytes: 1000, maxQueuedLines: 100, flushDelayMs: 0,
    written: () => undefined, dropped: (_r, reason) => void drops.push(reason), failed: () => undefined,
  });
  return { w, drops, writes };
}

describe('recording memory', () => {
  it('counts the batch being written in the queue bound', async () => {
    const { w, drops, writes } = stalledWriter();
    const line = 'x'.repeat(99) + '\n';
    for (let i = 0; i < 10; i++) w.write(line, '/r');
    while (writes.length === 0) await nextTurn(); // the batch is being written, and the disk stalls
    expect(writes).toEqual([1000]);
    for (let i = 0; i < 10; i++) w.write(line, '/r');
    expect(drops).toEqual(Array(10).fill('queue_full'));
  });

  it('drops a line larger than the whole queue bound as too_large', () => {
    const { w, drops } = stalledWriter();
    w.write('x'.repeat(1000) + '\n', '/r');
    expect(drops).toEqual(['too_large']);
  });

  it('records at most maxConcurrent exchanges of a route at once, the others counted busy', async () => {
    const held: (() => void)[] = [];
    let arrived: (() => void) | null = null;
    up = await startUpstream((req, res) => {
      if (req.url === '/c/slow') {
        held.push(() => res.end('slow'));
        arrived?.();
      } else res.end('quick');
    });
    proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:
  - prefix: /c
    upstream: app
    record: { file: ./c.jsonl, maxConcurrent: 1 }
`);
    const file = path.join(path.dirname(proxy.file), 'c.jsonl');
    const upstreamHasIt = new Promise<void>((resolve) => (arrived = resolve));
    const slow = send(proxy.url + '/c/slow', 'GET', { 'x-request-id': 'slow' });
    await upstreamHasIt; // its recording has begun
    expect((await send(proxy.url + '/c/quick', 'GET', { 'x-request-id': 'busy' })).body.toString()).toBe('quick');
    held[0]!();
    expect((await slow).body.toString()).toBe('slow');
    expect((await send(proxy.url + '/c/quick', 'GET', { 'x-request-id': 'after' })).status).toBe(200);
    await flushed(proxy, file);
    expect((await recordedLines(file)).map((l) => l.id)).toEqual(['slow', 'after']);
    const text = await (await fetch(proxy.adminUrl + '/metrics')).text();
    expect(metricValue(text, 'strangler_record_dropped_total{route="/c",reason="busy"}')).toBe(1);
  });
});
