// A recording file rotates before a line would take it past maxFileBytes (orders.jsonl ->
// orders.1.jsonl, orders.2.jsonl...: the highest number is the newest rotated file), and a
// route's recording follows reloads: a file the new table names gets the lines, and the writer
// of a file no route names any more is closed.

import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { flushed, recordedLines, send } from './helpers/recorded-lines.js';
import { LOG } from '../src/observability/log-messages.js';

let upstream: Upstream | undefined, proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = upstream = undefined;
});

describe('rotation', () => {
  it('starts a new file before one would pass maxFileBytes, numbering the rotated ones upwards', async () => {
    upstream = await startUpstream((_req, res) => res.end('y'.repeat(500))); // one line is ~900 bytes: one per file
    proxy = await startProxy(upstreamsYaml({ legacy: upstream.url }) + 'routes:\n  - prefix: /orders\n    upstream: legacy\n    record: { file: ./rec/orders.jsonl, maxFileBytes: 1024 }\n');
    const dir = path.join(path.dirname(proxy.file), 'rec');
    const file = path.join(dir, 'orders.jsonl');
    for (const id of ['r1', 'r2', 'r3']) {
      expect((await send(proxy.url + '/orders', 'GET', { 'x-request-id': id })).status).toBe(200);
      await flushed(proxy, file);
    }
    expect((await readdir(dir)).sort()).toEqual(['orders.1.jsonl', 'orders.2.jsonl', 'orders.jsonl']);
    const ids = async (name: string) => (await recordedLines(path.join(dir, name))).map((l) => l.id);
    expect(await ids('orders.1.jsonl')).toEqual(['r1']);
    expect(await ids('orders.2.jsonl')).toEqual(['r2']);
    expect(await ids('orders.jsonl')).toEqual(['r3']);
  });
});

describe('a file two routes record to', () => {
  it("rotates at the smaller of their maxFileBytes, whichever route comes last (and follows a reload that drops it)", async () => {
    upstream = await startUpstream((_req, res) => res.end('y'.repeat(500)));
    const both = 'routes:\n  - prefix: /orders\n    upstream: legacy\n    record: { file: ./rec/shared.jsonl, maxFileBytes: 1024 }\n  - prefix: /old\n    upstream: legacy\n    record: { file: ./rec/shared.jsonl }\n';
    proxy = await startProxy(upstreamsYaml({ legacy: upstream.url }) + both);
    const file = path.join(path.dirname(proxy.file), 'rec', 'shared.jsonl');
    expect(proxy.proxy.recorders.writerOf(file)!.maxFileBytes).toBe(1024);
    const since = proxy.logs.length;
    await writeFile(proxy.file, upstreamsYaml({ legacy: upstream.url }) + 'routes:\n  - prefix: /old\n    upstream: legacy\n    record: { file: ./rec/shared.jsonl, maxFileBytes: 4096 }\n');
    await proxy.logLine((l) => proxy!.logs.indexOf(l) >= since && l.msg === LOG.configReloaded);
    expect(proxy.proxy.recorders.writerOf(file)!.maxFileBytes).toBe(4096);
  });
});

describe('a reload', () => {
  it('moves a route recording to the file it now names and closes the old one', async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    const yaml = (file: string) => upstreamsYaml({ legacy: upstream!.url }) + `routes:\n  - prefix: /orders\n    upstream: legacy\n    record: { file: ${file} }\n`;
    proxy = await startProxy(yaml('./a.jsonl'));
    const dir = path.dirname(proxy.file);
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    expect((await send(proxy.url + '/orders', 'GET', { 'x-request-id': 'before' })).status).toBe(200);
    await flushed(proxy, a);
    const old = proxy.proxy.recorders.writerOf(a)!;

    const since = proxy.logs.length;
    await writeFile(proxy.file, yaml('./b.jsonl'));
    await proxy.logLine((l) => proxy!.logs.indexOf(l) >= since && l.msg === LOG.configReloaded);
    expect(old.closed).toBe(true);
    expect(proxy.proxy.recorders.writerOf(a)).toBeUndefined();

    expect((await send(proxy.url + '/orders', 'GET', { 'x-request-id': 'after' })).status).toBe(200);
    await flushed(proxy, b);
    expect((await recordedLines(a)).map((l) => l.id)).toEqual(['before']);
    expect((await recordedLines(b)).map((l) => l.id)).toEqual(['after']);
  });

  it('keeps the same writer when the file stays (the route changed otherwise)', async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    const yaml = (timeout: number) => upstreamsYaml({ legacy: upstream!.url }) + `routes:\n  - prefix: /orders\n    upstream: legacy\n    timeoutMs: ${timeout}\n    record: { file: ./a.jsonl }\n`;
    proxy = await startProxy(yaml(1000));
    const a = path.join(path.dirname(proxy.file), 'a.jsonl');
    expect((await send(proxy.url + '/orders', 'GET', { 'x-request-id': 'one' })).status).toBe(200);
    await flushed(proxy, a);
    const writer = proxy.proxy.recorders.writerOf(a)!;
    const since = proxy.logs.length;
    await writeFile(proxy.file, yaml(2000));
    await proxy.logLine((l) => proxy!.logs.indexOf(l) >= since && l.msg === LOG.configReloaded);
    expect(proxy.proxy.recorders.writerOf(a)).toBe(writer);
    expect(writer.closed).toBe(false);
    expect((await send(proxy.url + '/orders', 'GET', { 'x-request-id': 'two' })).status).toBe(200);
    await flushed(proxy, a);
    expect((await recordedLines(a)).map((l) => l.id)).toEqual(['one', 'two']);
  });
});
