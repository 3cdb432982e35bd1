// A recording that throws (a bug, or an allocation too large) is dropped and counted (`error`),
// logged aggregated; the client gets its whole answer and the request its access line and metrics.

import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, startUpstream, upstreamsYaml, type TestProxy, type Upstream } from './helpers/servers.js';
import { metricValue, recordedLines, send } from './helpers/recorded-lines.js';
import { LOG } from '../src/observability/log-messages.js';
import { BodyTee } from '../src/record/body-tee.js';
import { RouteRecorder } from '../src/record/recorder.js';

let up: Upstream | undefined, proxy: TestProxy | undefined;
const restore: (() => void)[] = [];
afterEach(async () => {
  for (const r of restore.splice(0)) r();
  await proxy?.close();
  await up?.close();
  proxy = up = undefined;
});

function throwing<T extends object, K extends keyof T>(proto: T, key: K): void {
  const orig = proto[key];
  proto[key] = function () {
    throw new RangeError('Invalid string length');
  } as T[K];
  restore.push(() => (proto[key] = orig));
}

const metrics = async () => (await fetch(proxy!.adminUrl + '/metrics')).text();

async function start(): Promise<void> {
  up = await startUpstream((_req, res) => res.end('x'.repeat(100_000)));
  proxy = await startProxy(upstreamsYaml({ app: up.url }) + `routes:
  - prefix: /t
    upstream: app
    record: { file: ./t.jsonl }
`);
}

describe('a recording that throws', () => {
  it('when its line is built: the answer is whole, the access line and metrics are there, the drop is counted and logged', async () => {
    await start();
    throwing(RouteRecorder.prototype, 'write');
    const r = await send(proxy!.url + '/t/1', 'GET', { 'x-request-id': 'one' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(100_000);
    expect(await proxy!.logLine((l) => l.msg === LOG.request && l.requestId === 'one')).toMatchObject({ status: 200 });
    const text = await metrics();
    expect(metricValue(text, 'strangler_record_dropped_total{route="/t",reason="error"}')).toBe(1);
    expect(text).toMatch(/^strangler_requests_total\{[^}]*route="\/t"[^}]*\} 1$/m);
    expect(await proxy!.logLine((l) => l.msg === LOG.recordCaptureFailed)).toMatchObject({ route: '/t', error: 'Invalid string length' });
  });

  it('as the answer flows: every byte still reaches the client, and nothing is written', async () => {
    await start();
    throwing(BodyTee.prototype, 'add');
    const r = await send(proxy!.url + '/t/2', 'GET', { 'x-request-id': 'two' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(100_000);
    expect(await proxy!.logLine((l) => l.msg === LOG.request && l.requestId === 'two')).toMatchObject({ status: 200 });
    expect(metricValue(await metrics(), 'strangler_record_dropped_total{route="/t",reason="error"}')).toBe(1);
    await proxy!.proxy.recorders.writerOf(path.join(path.dirname(proxy!.file), 't.jsonl'))?.flushed();
    expect(await recordedLines(path.join(path.dirname(proxy!.file), 't.jsonl'))).toEqual([]);
  });
});
