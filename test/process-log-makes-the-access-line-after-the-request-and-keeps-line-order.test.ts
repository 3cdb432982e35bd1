// The process log (logger.ts Batching) makes an access line's text when the request's turn of the
// event loop ends, a batch at a time, not in the response path; any other line written meanwhile,
// and a flush, first write the deferred ones, so the log reads in the order things were logged.
// The access log counts the request's metrics and status figures there too, before the next
// request can be read; written to any other stream (a test's), all of it happens at once.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AccessLineWriter, type AccessLineFields } from '../src/observability/access-line.js';
import { AccessLog } from '../src/observability/access-log.js';
import { Batching, createStreamLogger } from '../src/observability/logger.js';
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
  it('makes a deferred line when the turn ends, not when it is handed over', async () => {
    const { batching, lines } = processLog();
    const made: string[] = [];
    batching.defer((a: string, b: number, c: boolean) => (made.push(a), `{"msg":"${a}","n":${b},"ok":${c}}\n`), 'later', 1, true);
    expect(made).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(made).toEqual(['later']);
    batching.flush();
    expect(lines()).toEqual([{ msg: 'later', n: 1, ok: true }]);
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

  it('into the process log: counts and writes a request when its turn ends, out of the response path', async () => {
    const { batching, logger, lines } = processLog();
    const m = meters();
    const status = new StatusBook();
    new AccessLog(logger, m, status).write(request, m);
    expect(m.recorded).toEqual([]); // (nothing yet: the response path goes on)
    await new Promise((resolve) => setImmediate(resolve));
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
