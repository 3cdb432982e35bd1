// A client that stops reading a response: the relay waits for 'drain', bounded by idleTimeoutMs
// from the moment the write was refused. The socket's own timer alone let one more period pass
// when the bytes queued had changed since its last write (Node counts that as progress): such a
// client was cut after ~2x the bound (10.8 s with 5 s, 120.8 s with the 60 s default). One timer
// per exchange at most (writes over the high-water mark are refused to fast clients too), none
// for a pipelined response still queued behind another. The clock here is vitest's; the stream
// is a real Writable that refuses writes past its high-water mark.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WriteStall } from '../src/forward/write-stall.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A response whose client reads nothing until `read()` is called; `attached`: it has its socket. */
function stuckResponse(attached = true) {
  let pending: (() => void) | null = null;
  const res = new Writable({ highWaterMark: 4, write: (_c, _e, cb) => void (pending = cb) }) as Writable & { socket: unknown };
  res.socket = attached ? {} : null;
  return { res, read: () => pending?.() };
}

function stall(res: Writable, ms: number) {
  const told: string[] = [];
  const s = new WriteStall(res, ms, { idle: () => told.push('idle') });
  return { s, told, resume: () => told.push('resumed') };
}

describe('a response its client stopped reading', () => {
  it('is given up at idleTimeoutMs after its write was refused, not later', () => {
    vi.useFakeTimers();
    const { res } = stuckResponse();
    expect(res.write(Buffer.alloc(16))).toBe(false);
    const { s, told, resume } = stall(res, 5000);
    s.wait(resume);
    vi.advanceTimersByTime(4999);
    expect(told).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(told).toEqual(['idle']);
  });

  it('resumes on drain within the bound; the next refused write gets the whole bound again, on the same timer', async () => {
    vi.useFakeTimers();
    const { res, read } = stuckResponse();
    res.write(Buffer.alloc(16));
    const { s, told, resume } = stall(res, 5000);
    s.wait(resume);
    vi.advanceTimersByTime(4000);
    read();
    await vi.advanceTimersByTimeAsync(0); // (drain is emitted on a later tick)
    expect(told).toEqual(['resumed']);
    vi.advanceTimersByTime(60_000); // drained: the timer's expiry says nothing
    expect(told).toEqual(['resumed']);
    res.write(Buffer.alloc(16));
    s.wait(resume);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(4999);
    expect(told).toEqual(['resumed']);
    vi.advanceTimersByTime(1);
    expect(told).toEqual(['resumed', 'idle']);
  });

  it('has no timer with idleTimeoutMs 0, nor for a pipelined response not yet on its socket, and none once stopped', () => {
    vi.useFakeTimers();
    for (const [ms, attached] of [[0, true], [5000, false]] as const) {
      const { res } = stuckResponse(attached);
      res.write(Buffer.alloc(16));
      const { s, told, resume } = stall(res, ms);
      s.wait(resume);
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(3_600_000);
      expect(told).toEqual([]);
    }
    const { res } = stuckResponse();
    res.write(Buffer.alloc(16));
    const { s, told, resume } = stall(res, 5000);
    s.wait(resume);
    s.stop(); // the exchange ended (the client left, an error)
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(told).toEqual([]);
  });
});
