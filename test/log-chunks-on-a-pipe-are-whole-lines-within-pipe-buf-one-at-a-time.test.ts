// The process log on a pipe (a container's log pipe, shared by --workers): the kernel writes a
// pipe write of at most PIPE_BUF bytes whole, so chunks of whole lines within it, one at a time
// (a stream merges queued writes into one larger write), never tear a line between processes.
// (A lone writer uses larger chunks: no one else's line can land in between.)
// Seen before: 16 KiB chunks tore 26 lines in 18,000 with two workers and a lagging reader.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Batching } from '../src/observability/logger.js';
import { PIPE_ATOMIC_BYTES, StreamSink, sinkFor, type ChunkStream } from '../src/observability/log-sink.js';

/** A stream that keeps each write and its callback, for the test to complete when it likes. */
function heldStream(): ChunkStream & { writes: Buffer[]; handed: Buffer[]; pending: ((err?: Error | null) => void)[]; maxInFlight: number } {
  const s = {
    writes: [] as Buffer[],
    handed: [] as Buffer[], // (the chunks as given, not copies)
    pending: [] as ((err?: Error | null) => void)[],
    maxInFlight: 0,
    write(chunk: Buffer, done: (err?: Error | null) => void) {
      s.writes.push(Buffer.from(chunk));
      s.handed.push(chunk);
      s.pending.push(done);
      s.maxInFlight = Math.max(s.maxInFlight, s.pending.length);
      return true;
    },
  };
  return s;
}

const line = (i: number): string => `{"n":${i},"pad":"${'x'.repeat((i * 37) % 400)}","é":"ü€"}\n`;

describe('the log on a pipe', () => {
  it('shared with other processes, is written in chunks of whole lines of at most PIPE_BUF bytes, one write at a time, in order', () => {
    const out = heldStream();
    const sink = new StreamSink(out, 1 << 20, () => {});
    const chunks = new Batching(sink);
    chunks.write(line(1000));
    sink.shared(); // (--workers: the primary and each worker, as they start)
    chunks.resize();
    const lines = [line(1000), ...Array.from({ length: 400 }, (_, i) => line(i))];
    for (const l of lines.slice(1)) chunks.write(l);
    chunks.flush();
    while (out.pending.length > 0) out.pending.shift()!(); // each write completes; the next is sent then

    expect(out.maxInFlight).toBe(1);
    expect(Buffer.concat(out.writes).toString()).toBe(lines.join(''));
    for (const w of out.writes) {
      const text = w.toString();
      expect(text.endsWith('\n')).toBe(true);
      expect(text.split('\n').slice(0, -1).every((l) => l.startsWith('{'))).toBe(true);
      expect(w.length).toBeLessThanOrEqual(PIPE_ATOMIC_BYTES);
    }
    expect(out.writes.length).toBeGreaterThan(10);
  });

  it('shared, cuts a line longer than PIPE_BUF (a long path from a client) to fit, still one JSON object', () => {
    const out = heldStream();
    const sink = new StreamSink(out, 1 << 20, () => {});
    sink.shared();
    const chunks = new Batching(sink);
    const long = `${JSON.stringify({ level: 'info', time: 't', msg: 'request', requestId: 'r1', path: `/${'p'.repeat(7000)}`, status: 200 })}\n`;
    chunks.write(line(1));
    chunks.write(long);
    chunks.flush();
    while (out.pending.length > 0) out.pending.shift()!();
    const written = Buffer.concat(out.writes).toString().split('\n').filter((l) => l !== '');
    expect(out.writes.every((w) => w.length <= PIPE_ATOMIC_BYTES)).toBe(true);
    expect(written).toHaveLength(2);
    const cut = JSON.parse(written[1]!) as Record<string, unknown>;
    expect(cut).toMatchObject({ msg: 'request', requestId: 'r1', status: 200, truncated: true });
    expect((cut.path as string).startsWith('/ppp')).toBe(true);
  });

  it('alone on the pipe, writes a long line whole', () => {
    const out = heldStream();
    const chunks = new Batching(new StreamSink(out, 1 << 20, () => {}));
    const long = `{"long":"${'y'.repeat(20_000)}"}\n`;
    chunks.write(long);
    expect(out.writes.map((w) => w.toString())).toEqual([long]);
  });

  it('hands the sink chunks of their own size: a few bytes waiting hold a few bytes, not a whole chunk', () => {
    const out = heldStream();
    const chunks = new Batching(new StreamSink(out, 1 << 20, () => {}));
    chunks.write('{"a":1}\n');
    chunks.flush();
    expect(out.handed[0]!.buffer.byteLength).toBe(8);
  });

  it('alone on the pipe, writes chunks of up to 16 KiB', () => {
    const out = heldStream();
    const chunks = new Batching(new StreamSink(out, 1 << 20, () => {}));
    for (let i = 0; i < 200; i++) chunks.write(line(i));
    chunks.flush();
    expect(Math.max(...out.writes.map((w) => w.length))).toBeGreaterThan(PIPE_ATOMIC_BYTES);
  });

  it('queues at most maxBacklog bytes behind a write that does not complete, and counts what it drops', () => {
    const out = heldStream();
    let dropped = 0;
    const sink = new StreamSink(out, 10_000, (bytes) => (dropped += bytes));
    const chunk = (c: string): Buffer => Buffer.alloc(4000, c);
    for (const c of 'abcdef') sink.write(chunk(c)); // a in flight; b, c queued (8000); d, e, f dropped
    expect(out.writes.map((w) => w.toString()[0])).toEqual(['a']);
    expect(dropped).toBe(12_000);
    out.pending.shift()!();
    out.pending.shift()!();
    out.pending.shift()!();
    expect(out.writes.map((w) => w.toString()[0])).toEqual(['a', 'b', 'c']);
  });

  it('drops and counts what waits, and all later chunks, once the reader is gone', () => {
    const out = heldStream();
    let dropped = 0;
    const sink = new StreamSink(out, 1 << 20, (bytes) => (dropped += bytes));
    sink.write(Buffer.alloc(100));
    sink.write(Buffer.alloc(200));
    out.pending.shift()!(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    sink.write(Buffer.alloc(300));
    expect(out.writes).toHaveLength(1);
    expect(dropped).toBe(600); // the chunk whose write failed too
  });

  it('at close, says how many bytes it could not write in time, the one in flight included', async () => {
    const out = heldStream();
    const sink = new StreamSink(out, 1 << 20, () => {});
    sink.write(Buffer.alloc(16_384));
    expect(await sink.close(1)).toBe(16_384);
    sink.write(Buffer.alloc(10)); // (queued behind the stuck one)
    expect(await sink.close(1)).toBe(16_394);
  });

  it('is chosen for a pipe; /dev/null and a regular file are written directly', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'log-sink-'));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const fifoFd = openSync(fifo, 'r+'); // (read and write: opening does not wait for a reader)
    const nullFd = openSync('/dev/null', 'w');
    const file = path.join(dir, 'log');
    const fileFd = openSync(file, 'w');
    try {
      const viaStream = (fd: number): number => {
        const out = heldStream();
        const sink = sinkFor(fd, out, 1 << 20, () => {});
        sink.write(Buffer.from('{"a":1}\n'));
        void sink.close(1000);
        return out.writes.length;
      };
      expect(viaStream(fifoFd)).toBe(1);
      expect(viaStream(nullFd)).toBe(0);
      const out = heldStream();
      const sink = sinkFor(fileFd, out, 1 << 20, () => {});
      sink.write(Buffer.from('{"a":1}\n'));
      await sink.close(5000);
      expect(out.writes).toHaveLength(0);
      expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    } finally {
      for (const fd of [fifoFd, nullFd]) closeSync(fd);
    }
  });
});
