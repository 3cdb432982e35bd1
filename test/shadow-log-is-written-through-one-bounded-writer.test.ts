// The shadow log: one JSON line per event through one asynchronous writer, read back by the
// same module; what is queued is bounded (drops counted); failures are counted and logged at
// most once a second (an injected clock paces it).

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatLogLine, parseLogLine, readShadowLog, type LogEntry, type ShadowEvent } from '../src/shadow/log-line.js';
import { SHADOW_LOG_FAILED, ShadowLogWriter } from '../src/shadow/log-writer.js';
import { ShadowReports } from '../src/shadow/store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'strangler-shadow-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (i: number, over: Partial<ShadowEvent> = {}): ShadowEvent => ({
  at: new Date(Date.UTC(2025, 2, 4, 5, 0, i)).toISOString(),
  route: '/orders',
  result: 'mismatch',
  method: 'GET',
  path: `/orders/${i}`,
  primaryStatus: 200,
  shadowStatus: 200,
  differences: [{ path: '$.total', kind: 'value', primary: 10, shadow: 11 }],
  curl: `curl http://shop.test/orders/${i}`,
  ...over,
});

async function readAll(file: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readShadowLog(file)) out.push(e);
  return out;
}

function counters() {
  const c = { errors: 0, dropped: 0 };
  let onError: () => void = () => {};
  const errored = () => new Promise<void>((resolve) => (onError = resolve));
  const metrics = {
    shadowLogErrors: { inc: () => { c.errors++; onError(); } },
    shadowLogDropped: { inc: (n = 1) => { c.dropped += n; } },
  };
  return { c, metrics, errored };
}

describe('the shadow log line', () => {
  it('reads back every event the store wrote, in order, one line each', async () => {
    const file = path.join(dir, 'shadow.jsonl');
    const store = new ShadowReports();
    store.setLog(file);
    const events = [event(1), event(2, { result: 'skipped', reason: 'overload', differences: undefined, curl: undefined, primaryStatus: null, shadowStatus: null })];
    for (const e of events) store.record(e);
    await store.close();
    expect((await readFile(file, 'utf8')).split('\n')).toHaveLength(3); // two lines and the final newline
    expect(await readAll(file)).toEqual(events.map((e, i) => ({ line: i + 1, event: JSON.parse(JSON.stringify(e)) })));
  });

  it('names what is wrong with a line that is not an event, skipping blank lines', () => {
    expect(parseLogLine('{"at":')).toMatch(/^not JSON/);
    expect(parseLogLine('{"at":"x","route":"/a","method":"GET","path":"/a","result":"maybe"}')).toMatch(/"result" must be/);
    expect(parseLogLine(formatLogLine(event(3)).trim())).toEqual(event(3));
  });
});

describe('ShadowLogWriter', () => {
  it('bounds what is queued: past maxQueuedBytes an event is dropped and counted, the rest written whole', async () => {
    const file = path.join(dir, 'bounded.jsonl');
    const { c, metrics } = counters();
    const lineBytes = Buffer.byteLength(formatLogLine(event(1)));
    const w = new ShadowLogWriter(file, { metrics, maxQueuedBytes: 2 * lineBytes });
    for (let i = 1; i <= 10; i++) w.write(event(1)); // all in one tick, while the file opens
    await w.end();
    expect(c.dropped).toBe(8);
    expect(w.dropped).toBe(8);
    expect((await readAll(file)).map((e) => ('event' in e ? e.event.path : 'error' in e ? e.error : e.restart.route))).toEqual(['/orders/1', '/orders/1']);
  });

  it('counts a file that cannot be opened, drops its events, logs at most once a second and retries after one', async () => {
    const file = path.join(dir, 'no-such-dir', 'shadow.jsonl');
    const { c, metrics, errored } = counters();
    const warnings: Record<string, unknown>[] = [];
    let now = 10_000;
    const w = new ShadowLogWriter(file, { metrics, logger: { warn: (o: object) => warnings.push(o as Record<string, unknown>) } as never, now: () => now });
    let failed = errored();
    w.write(event(1));
    await failed;
    expect(c).toEqual({ errors: 1, dropped: 1 });
    expect(warnings).toEqual([expect.objectContaining({ msg: SHADOW_LOG_FAILED, path: file, errors: 1, dropped: 1 })]);
    expect(String(warnings[0]!.error)).toMatch(/ENOENT/);

    now += 500;
    w.write(event(2)); // within the second: not reopened, dropped, not logged again
    expect(c).toEqual({ errors: 1, dropped: 2 });
    expect(warnings).toHaveLength(1);

    now += 500;
    failed = errored();
    w.write(event(3)); // a second later: opened again, fails again, logged again
    await failed;
    expect(c).toEqual({ errors: 2, dropped: 3 });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatchObject({ msg: SHADOW_LOG_FAILED, errors: 1, dropped: 2 }); // event 2, and event 3 queued on the failed open
    await w.end();
  });
});
