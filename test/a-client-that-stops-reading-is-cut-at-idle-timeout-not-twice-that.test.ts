// A client that stops reading a response: the relay waits for 'drain', bounded by idleTimeoutMs
// from the moment the write was refused. The socket's own timer alone let one more period pass
// when the bytes queued had changed since its last write (Node counts that as progress): such a
// client was cut after ~2x the bound (10.8 s with 5 s, 120.8 s with the 60 s default). The clock
// here is vitest's; the stream is a real Writable that refuses writes past its high-water mark.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resumeOnDrain } from '../src/forward/write-stall.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A response whose client reads nothing until `read()` is called. */
function stuckResponse() {
  let pending: (() => void) | null = null;
  const res = new Writable({ highWaterMark: 4, write: (_c, _e, cb) => void (pending = cb) });
  return { res, read: () => pending?.() };
}

describe('a response its client stopped reading', () => {
  it('is given up at idleTimeoutMs after its write was refused, not later', () => {
    vi.useFakeTimers();
    const { res } = stuckResponse();
    expect(res.write(Buffer.alloc(16))).toBe(false);
    const told: string[] = [];
    resumeOnDrain(res, 5000, () => told.push('resumed'), { idle: () => told.push('idle') });
    vi.advanceTimersByTime(4999);
    expect(told).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(told).toEqual(['idle']);
  });

  it('resumes on drain within the bound, and the bound is then gone', () => {
    vi.useFakeTimers();
    const { res, read } = stuckResponse();
    expect(res.write(Buffer.alloc(16))).toBe(false);
    const told: string[] = [];
    resumeOnDrain(res, 5000, () => told.push('resumed'), { idle: () => told.push('idle') });
    vi.advanceTimersByTime(4000);
    read();
    vi.advanceTimersByTime(0); // (drain is emitted on a later tick)
    expect(told).toEqual(['resumed']);
    vi.advanceTimersByTime(60_000);
    expect(told).toEqual(['resumed']);
  });

  it('with idleTimeoutMs 0 waits for drain unbounded', () => {
    vi.useFakeTimers();
    const { res } = stuckResponse();
    res.write(Buffer.alloc(16));
    const told: string[] = [];
    resumeOnDrain(res, 0, () => told.push('resumed'), { idle: () => told.push('idle') });
    vi.advanceTimersByTime(3_600_000);
    expect(told).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
