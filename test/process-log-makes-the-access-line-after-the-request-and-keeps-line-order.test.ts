// The process log (logger.ts Batching) makes access lines later, a batch at a time, not in the
// response path: once 64 wait, or at the next line written, flush or settle. Any other line
// written meanwhile, and a flush, first write the deferred ones, so the log reads in the order
// things were logged; a deferred line carries the time it was logged. The access log counts the
// request's metrics and status figures there too, and whoever reads the figures settles the
// waiting lines first (admin /metrics and /status); written to any other stream (a test's), all
// of it happens at once.
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { AccessLineWriter, type AccessLineFields } from '../src/observability/access-line.js';
import { AccessLog } from '../src/observability/access-log.js';
import { Batching, createStreamLogger, setLogLevel } from '../src/observability/logger.js';
import type { ChunkSink } from '../src/observability/log-sink.js';
import type { RouteMeters } from '../src/observability/metrics.js';
import { StatusBook } from '../src/status/book.js';

function processLog() {
  const chunks: Buffer[] = [];
  const sink: ChunkSink = { chunkBytes: 16_384, write: (c) => void chunks.push(c), close: async () => 0 };
  const batching = new Batching(sink);
  const lines = (): { msg: string; requestId?: string }[] =>
    Buffer.concat(chunks).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; requestId?: string });
  return { batching, logger: createStreamLogger('info', batching), lines };
}

const line = (requestId: string): AccessLineFields => ({ requestId, method: 'GET', path: '/p', route: '/p', upstream: 'u', status: 200, bytes: 1, error: null });

describe('the process log', () => {
  it('makes deferred lines once 64 wait, or when settled', () => {
    const { batching, lines } = processLog();
    const made: number[] = [];
    const text = (n: number, b: string, c: boolean, d: null): string => (made.push(n), `{"msg":"${b}","n":${n},"ok":${c},"d":${d}}\n`);
    for (let n = 1; n <= 63; n++) batching.defer(text, n, 'later', true, null);
    expect(made).toEqual([]);
    batching.defer(text, 64, 'later', true, null);
    expect(made).toHaveLength(64); // (one batch, in order)
    expect(made.slice(0, 3)).toEqual([1, 2, 3]);
    batching.defer(text, 65, 'later', true, null);
    expect(made).toHaveLength(64);
    batching.settle();
    expect(made).toHaveLength(65);
    expect(lines()).toEqual([]); // (made into the chunk: written at the flush)
    batching.flush();
    expect(lines()).toHaveLength(65);
    expect(lines()[64]).toEqual({ msg: 'later', n: 65, ok: true, d: null });
  });

  it('writes a deferred access line with the time it was logged, not the time it was made', () => {
    const { batching, logger, lines } = processLog();
    const m = meters();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.parse('2026-12-06T10:00:00.123Z'));
      new AccessLog(logger, m).write({ ...line('r-t'), startedAt: performance.now() }, m);
      vi.setSystemTime(Date.parse('2026-12-06T10:00:05.000Z')); // made five seconds later
      batching.flush();
    } finally {
      vi.useRealTimers();
    }
    expect(lines()).toMatchObject([{ requestId: 'r-t', time: '2026-12-06T10:00:00.123Z' }]);
  });

  it('leaves out or writes a waiting line by the level it was logged at, when the level changes before it is made', () => {
    const { batching, logger, lines } = processLog();
    const m = meters();
    setLogLevel(logger, 'warn');
    new AccessLog(logger, m).write({ ...line('r-quiet'), startedAt: performance.now() }, m);
    setLogLevel(logger, 'info');
    new AccessLog(logger, m).write({ ...line('r-loud'), startedAt: performance.now() }, m);
    setLogLevel(logger, 'warn');
    batching.flush();
    expect(lines().map((l) => l.requestId)).toEqual(['r-loud']);
    expect(m.recorded).toHaveLength(2); // (counted whatever the level)
  });

  it('writes access lines and the lines logged after them in the order they were logged', () => {
    const { batching, logger, lines } = processLog();
    const access = new AccessLineWriter(logger);
    access.write('info', line('r-1'), 1);
    logger.warn({ msg: 'between' });
    access.write('info', line('r-2'), 1);
    access.write('info', line('r-3'), 1);
    batching.flush(); // (before the turn ends: the deferred lines are made now)
    expect(lines().map((l) => l.requestId ?? l.msg)).toEqual(['r-1', 'between', 'r-2', 'r-3']);
  });
});

/** Meters that keep what they were told. */
function meters(): RouteMeters & { recorded: unknown[][] } {
  const recorded: unknown[][] = [];
  return { recorded, record: (...args: unknown[]) => void recorded.push(args), broken: () => {} } as unknown as RouteMeters & { recorded: unknown[][] };
}

describe('the access log', () => {
  const request = { ...line('r-9'), startedAt: performance.now() };

  it('into the process log: counts and writes a request later, out of the response path, and before its figures are read', () => {
    const { batching, logger, lines } = processLog();
    const m = meters();
    const status = new StatusBook();
    new AccessLog(logger, m, status).write(request, m);
    expect(m.recorded).toEqual([]); // (nothing yet: the response path goes on)
    batching.settle(); // (what a reader of the figures does first: settleDeferredLines)
    expect(m.recorded).toHaveLength(1);
    expect(m.recorded[0]!.slice(0, 3)).toEqual(['u', 'GET', 200]);
    expect(status.snapshot().sides.map((s) => [s.route, s.total.requests])).toEqual([['/p', 1]]);
    batching.flush();
    expect(lines().map((l) => l.requestId)).toEqual(['r-9']);
  });

  it('into any other stream: counts and writes it at once', () => {
    const written: string[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (written.push(c.toString()), cb()) });
    const m = meters();
    new AccessLog(createStreamLogger('info', sink), m).write(request, m);
    expect(m.recorded).toHaveLength(1);
    expect(written.map((t) => JSON.parse(t).requestId)).toEqual(['r-9']);
  });
});
