// A recording pointed at a FIFO (or anything but a regular file) nobody reads: its writes used to
// block one of libuv's four threads each, for ever; with four such files every DNS lookup (an
// upstream named by host name) queued behind them and primary requests failed. The writer now
// opens without blocking, refuses what is not a regular file (a write error, counted and told),
// and the thread pool stays free.

import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../src/record/file-system.js';
import { RecordWriter } from '../src/record/writer.js';

describe('a recording file that is a FIFO nobody reads', () => {
  it('is refused as not a regular file, and the thread pool is not held', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'strangler-fifo-'));
    const failed: string[] = [];
    const dropped: string[] = [];
    const writers = [1, 2, 3, 4, 5].map((n) => {
      const file = path.join(dir, `r${n}.jsonl`);
      execFileSync('mkfifo', [file]);
      return new RecordWriter(file, 1e9, {
        fs: nodeFileSystem, clock: { now: () => 0 }, maxQueuedBytes: 1e8, maxQueuedLines: 100, flushDelayMs: 0,
        written: () => undefined, dropped: (_route, why) => void dropped.push(why), failed: (_f, err) => void failed.push(err.message),
      });
    });
    for (const w of writers) w.write(JSON.stringify({ body: 'x'.repeat(200_000) }) + '\n', '/r');
    await Promise.all(writers.map((w) => w.flushed()));
    expect(failed).toHaveLength(5);
    for (const message of failed) expect(message).toMatch(/is not a regular file/);
    expect(dropped).toEqual(['write_error', 'write_error', 'write_error', 'write_error', 'write_error']);
    // The thread pool is free: a host name lookup (libuv's getaddrinfo) still answers.
    expect((await lookup('localhost')).address).toMatch(/^(127\.0\.0\.1|::1)$/);
    await Promise.all(writers.map((w) => w.close()));
  });
});
