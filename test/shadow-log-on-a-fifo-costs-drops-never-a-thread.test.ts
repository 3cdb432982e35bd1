// `server.shadowLog` pointed at a FIFO: sonic-boom opened it blocking, so with nobody reading,
// each writer held one of libuv's four threads (in open(2), or in write(2) once the pipe was
// full) for ever, and DNS lookups (upstreams named by host name) queued behind them. The writer
// now opens the file non-blocking: no reader is an open error (counted, events dropped), a full
// pipe is retried on a timer, and a reader that comes back gets every line.

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShadowEvent } from '../src/shadow/log-line.js';
import { ShadowLogWriter } from '../src/shadow/log-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'strangler-shadow-fifo-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (i: number): ShadowEvent => ({
  at: new Date(Date.UTC(2026, 11, 4, 5, 0, 0, i)).toISOString(),
  route: '/orders',
  result: 'mismatch',
  method: 'GET',
  path: `/orders/${i}`,
  primaryStatus: 200,
  shadowStatus: 200,
  differences: [{ path: '$.note', kind: 'value', primary: 'x'.repeat(1000), shadow: 'y' }],
});

function fifo(name: string): string {
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  return file;
}

describe('a shadow log that is a FIFO', () => {
  it('nobody reads: the open fails at once, counted and dropped, and the thread pool stays free', async () => {
    const errors: string[] = [];
    let dropped = 0;
    let opened = 0;
    const allFailed = new Promise<void>((resolve) => {
      const metrics = {
        shadowLogErrors: { inc: () => void (++opened === 5 && resolve()) },
        shadowLogDropped: { inc: (n = 1) => void (dropped += n) },
      };
      const logger = { warn: (o: { error?: string }) => void errors.push(String(o.error)) };
      for (let n = 1; n <= 5; n++) new ShadowLogWriter(fifo(`s${n}.jsonl`), { metrics, logger: logger as never }).write(event(n));
    });
    await allFailed;
    expect(dropped).toBe(5);
    expect(errors).toHaveLength(5);
    for (const message of errors) expect(message).toMatch(/ENXIO/);
    expect((await lookup('localhost')).address).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it('whose readers stop reading: the full pipes hold no thread, and every line arrives once they read', async () => {
    const files = [1, 2, 3, 4, 5].map((n) => fifo(`stalled${n}.jsonl`));
    const idle = files.map((f) => openSync(f, constants.O_RDONLY | constants.O_NONBLOCK)); // readers that read nothing
    const writers = files.map((f) => new ShadowLogWriter(f));
    const count = 300; // ~330 KB each: several times a pipe's 64 KiB buffer
    for (const w of writers) for (let i = 0; i < count; i++) w.write(event(i));
    // Five blocked writes would hold all four of libuv's threads: the pool still answers.
    expect((await lookup('localhost')).address).toMatch(/^(127\.0\.0\.1|::1)$/);
    const outs = await Promise.all(files.map(async (f, n) => {
      const cat = spawn('cat', [f], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      cat.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
      const exited = new Promise((resolve) => cat.once('close', resolve));
      await writers[n]!.end();
      await exited;
      return out;
    }));
    for (const fd of idle) closeSync(fd);
    for (const out of outs) {
      const paths = out.trim().split('\n').map((l) => (JSON.parse(l) as ShadowEvent).path);
      expect(paths).toEqual(Array.from({ length: count }, (_, i) => `/orders/${i}`));
    }
    expect(writers.map((w) => w.dropped + w.errors)).toEqual([0, 0, 0, 0, 0]);
  });

  it('whose reader exits: the broken pipe is counted, and the next reader gets the lines written after it came', async () => {
    const file = fifo('shipper.jsonl');
    let reader = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK); // the log shipper
    let now = 5_000;
    let errors = 0;
    let wake: () => void = () => {};
    const metrics = { shadowLogErrors: { inc: () => void (errors++, wake()) }, shadowLogDropped: { inc: () => {} } };
    const writer = new ShadowLogWriter(file, { metrics, now: () => now });
    writer.write(event(1));
    const drain = (): string => {
      const buf = Buffer.alloc(1 << 20);
      try {
        return buf.subarray(0, readSync(reader, buf)).toString();
      } catch {
        return ''; // EAGAIN: nothing there yet
      }
    };
    let got = '';
    for (let i = 0; i < 200 && !got.includes('/orders/1'); i++) got += (await new Promise((r) => setTimeout(r, 5)), drain());
    expect(got).toContain('/orders/1');
    closeSync(reader); // the shipper exits
    const broke = new Promise<void>((resolve) => (wake = resolve));
    writer.write(event(2));
    await broke; // EPIPE
    expect(errors).toBe(1);
    reader = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK); // it restarts
    now += 1_000; // (complaints are paced by it)
    writer.write(event(3));
    await writer.end();
    expect(drain()).toContain('/orders/3');
    closeSync(reader);
  });
});
