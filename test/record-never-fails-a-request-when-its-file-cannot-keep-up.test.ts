// Recording never delays or fails a request. A file that cannot be written (its path is a
// folder) drops its lines, counted as write_error, and is logged at most once a second (by the
// injected clock); a writer stalled on its disk (an injected one that never finishes a write)
// fills its bounded queue, and what does not fit is dropped and counted as queue_full.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, testClock, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { metricValue, send } from './helpers/recorded-lines.js';
import { LOG } from '../src/observability/log-messages.js';
import type { RecordFileSystem } from '../src/record/file-system.js';

let upstream: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = upstream = undefined;
});

const routes = (file: string) => `routes:\n  - prefix: /orders\n    upstream: legacy\n    record: { file: ${file} }\n`;
const metrics = async () => (await fetch(proxy!.adminUrl + '/metrics')).text();
const dropped = (text: string, reason: string) => metricValue(text, `strangler_record_dropped_total{route="/orders",reason="${reason}"}`);
const failures = () => proxy!.logs.filter((l) => l.msg === LOG.recordWriteFailed);

describe('a recording file that cannot be written', () => {
  it('answers every request, counts write_error, and logs at most once a second', async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    const clock = testClock();
    proxy = await startProxy(upstreamsYaml({ legacy: upstream.url }) + routes('./capture/orders.jsonl'), { clock });
    await mkdir(path.join(path.dirname(proxy.file), 'capture', 'orders.jsonl'), { recursive: true }); // a folder where the file goes

    expect((await send(proxy.url + '/orders', 'GET')).status).toBe(200);
    const first = await proxy.logLine((l) => l.msg === LOG.recordWriteFailed);
    expect(first).toMatchObject({ level: 'warn', file: path.join(path.dirname(proxy.file), 'capture', 'orders.jsonl'), count: 1 });
    for (let i = 0; i < 5; i++) {
      const r = await send(proxy.url + '/orders', 'GET');
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe('ok');
    }
    expect(dropped(await metrics(), 'write_error')).toBe(6);
    expect(failures()).toHaveLength(1); // the same second: no new line

    clock.advance(1000); // a second later the file is tried again, fails again, and says so once more
    const since = proxy.logs.length;
    expect((await send(proxy.url + '/orders', 'GET')).status).toBe(200);
    await proxy.logLine((l) => l.msg === LOG.recordWriteFailed && proxy!.logs.indexOf(l) >= since);
    expect(failures()).toHaveLength(2);
    expect(dropped(await metrics(), 'write_error')).toBe(7);
  });
});

describe('a recording writer stalled on its disk', () => {
  it('answers every request at once and drops what its bounded queue cannot hold, as queue_full', async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let writes = 0;
    const written: string[] = [];
    const fs: RecordFileSystem = {
      open: () =>
        Promise.resolve({
          size: 0,
          file: {
            write: async (data) => {
              writes++;
              await stalled;
              written.push(data.toString());
            },
            close: () => Promise.resolve(),
          },
        }),
      siblings: () => Promise.resolve([]),
      rename: () => Promise.resolve(),
    };
    proxy = await startProxy(upstreamsYaml({ legacy: upstream.url }) + routes('./orders.jsonl'), { record: { fs, maxQueuedLines: 2, flushDelayMs: 0 } });
    // The first line is taken by the stalled write (still held: it counts in the bound); the
    // second waits in the queue (the bound's second line); the three after it do not fit.
    for (let i = 1; i <= 5; i++) expect((await send(proxy.url + '/orders', 'GET', { 'x-request-id': `q${i}` })).status).toBe(200);
    expect(writes).toBe(1);
    const text = await metrics();
    expect(dropped(text, 'queue_full')).toBe(3);
    expect(metricValue(text, 'strangler_recorded_total{route="/orders"}')).toBe(0);

    release();
    await proxy.proxy.recorders.writerOf(path.join(path.dirname(proxy.file), 'orders.jsonl'))!.flushed();
    expect(written.join('').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['q1', 'q2']);
    expect(metricValue(await metrics(), 'strangler_recorded_total{route="/orders"}')).toBe(2);
  });
});
