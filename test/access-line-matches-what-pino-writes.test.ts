// The access line is serialised by hand (access-line.ts) and must read as pino would write the
// same object, whatever its values hold, through the process log's chunks as through any stream.
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccessLineWriter, cleanUserAgent, DETAIL_MAX, msText, type AccessFields } from '../src/observability/access-line.js';
import { Batching, createStreamLogger } from '../src/observability/logger.js';
import type { ChunkSink } from '../src/observability/log-sink.js';
import { LOG } from '../src/observability/log-messages.js';

function capture(level: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createStreamLogger(level, sink), lines };
}

const fields: AccessFields[] = [
  { requestId: 'r-1', method: 'GET', path: '/api/users/1', route: '/api', upstream: 'users', status: 200, bytes: 12, durationMs: 1.234, error: null },
  { requestId: 'r-2', method: 'POST', path: '-', route: null, upstream: null, status: 400, bytes: 0, durationMs: 0.5, error: 'bad_request' },
  { requestId: 'q"uote\\', method: 'GET', path: '/a"b\u0001', route: '/', upstream: 'x', status: 499, bytes: 3, durationMs: 10, error: 'client_closed' },
  {
    requestId: 'r-4', method: 'GET', path: '/c', route: '/c', upstream: 'legacy', status: 200, bytes: 2, durationMs: 3, error: null,
    clientIp: '2001:db8::1', userAgent: 'Mozilla/5.0 "x"', retried: 2, fellBack: true, shadowed: true, canary: 'primary', breakerOpen: true,
  },
];

describe('the access line', () => {
  it.each(fields)('is byte for byte what pino writes for the same object (%#)', (f) => {
    const ours = capture('info');
    const theirs = capture('info');
    const level = f.error === null || f.error === 'client_closed' ? 'info' : 'warn';
    new AccessLineWriter(ours.logger).write(level, f, f.durationMs);
    theirs.logger[level]({ msg: LOG.request, ...f, error: f.error ?? undefined });
    const strip = (l: string) => l.replace(/"time":"[^"]+"/, '"time":"T"');
    expect(ours.lines).toHaveLength(1);
    expect(strip(ours.lines[0]!)).toBe(strip(theirs.lines[0]!));
  });

  it('is what pino writes, through the process log\'s chunks as through any stream, for values of any characters', () => {
    // Any UTF-16 unit but a lone surrogate (pino itself spells those two ways, by length): ASCII,
    // controls, quotes and backslashes, Latin-1, the BMP, and astral characters as pairs.
    const char = fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', 'é', 'ÿ', '€', '\u2028', '😀'),
      fc.integer({ min: 0x80, max: 0xd7ff }).map((c) => String.fromCharCode(c)),
    );
    const text = (maxLength: number) => fc.string({ unit: char, maxLength });
    const fieldsOf = fc.record(
      {
        requestId: text(40), method: text(8), path: text(300), route: fc.option(text(20)), upstream: fc.option(text(12)),
        status: fc.integer({ min: 100, max: 599 }), bytes: fc.nat(), durationMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
        error: fc.option(text(24)), detail: text(400), traceId: fc.option(fc.stringMatching(/^[0-9a-f]{32}$/)), clientIp: text(40),
        userAgent: text(300), protocol: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0'), retried: fc.integer({ min: 1, max: 5 }),
        retryBudgetExhausted: fc.constant(true), fellBack: fc.constant(true), shadowed: fc.constant(true),
        canary: fc.constantFrom('primary' as const, 'canary' as const), breakerOpen: fc.constant(true), replays: fc.integer({ min: 1, max: 3 }),
      },
      { requiredKeys: ['requestId', 'method', 'path', 'route', 'upstream', 'status', 'bytes', 'durationMs', 'error'] },
    );
    const strip = (l: string) => l.replace(/"time":"[^"]+"/, '"time":"T"');
    // The process log: lines go into 16 KiB chunks (a line longer than a chunk goes as text).
    const chunks: Buffer[] = [];
    const sink: ChunkSink = { chunkBytes: 16_384, write: (c) => void chunks.push(c), close: async () => 0 };
    const batching = new Batching(sink);
    const processLog = createStreamLogger('info', batching);
    let written = 0;
    fc.assert(
      fc.property(fieldsOf, (f) => {
        batching.flush(); // (what a failed run left)
        chunks.length = 0;
        const level = f.error === null ? 'info' : 'warn';
        const viaStream = capture('info');
        const pinos = capture('info');
        new AccessLineWriter(viaStream.logger).write(level, f, f.durationMs);
        new AccessLineWriter(processLog).write(level, f, f.durationMs);
        written++;
        // What the line writes, as pino would be handed it: the duration rounded to the
        // microsecond, detail only beside an error, both cleaned; the flags only when set.
        pinos.logger[level]({
          msg: LOG.request, requestId: f.requestId, method: f.method, path: f.path, route: f.route, upstream: f.upstream, status: f.status, bytes: f.bytes,
          durationMs: Math.round(f.durationMs * 1000) / 1000, error: f.error ?? undefined,
          detail: f.error === null || f.detail === undefined ? undefined : f.detail.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, DETAIL_MAX),
          traceId: f.traceId ?? undefined, clientIp: f.clientIp, userAgent: f.userAgent === undefined ? undefined : cleanUserAgent(f.userAgent),
          protocol: f.protocol, retried: f.retried, retryBudgetExhausted: f.retryBudgetExhausted, fellBack: f.fellBack, shadowed: f.shadowed,
          canary: f.canary, breakerOpen: f.breakerOpen, replays: f.replays,
        });
        expect(viaStream.lines).toHaveLength(1);
        expect(strip(viaStream.lines[0]!)).toBe(strip(pinos.lines[0]!));
        batching.flush();
        const lines = Buffer.concat(chunks.splice(0)).toString().split('\n').filter(Boolean);
        expect(lines.map(strip)).toEqual([strip(pinos.lines[0]!)]);
      }),
      { seed: 20261205, numRuns: 1500 },
    );
    expect(written).toBe(1500);
  });

  it('writes lines into a chunk until the next would not fit, then starts another, each line whole', () => {
    const chunks: Buffer[] = [];
    const batching = new Batching({ chunkBytes: 4096, write: (c) => void chunks.push(c), close: async () => 0 });
    const logger = createStreamLogger('info', batching);
    const paths = Array.from({ length: 60 }, (_, i) => `/p/${'x'.repeat((i * 37) % 200)}/${i}`);
    for (const path of paths) new AccessLineWriter(logger).write('info', { ...fields[0]!, path }, 1);
    batching.flush();
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(4096);
      expect(c.toString().endsWith('\n')).toBe(true);
    }
    expect(Buffer.concat(chunks).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l).path)).toEqual(paths);
  });

  it('honours the logger level', () => {
    const quiet = capture('warn');
    new AccessLineWriter(quiet.logger).write('info', fields[0]!, fields[0]!.durationMs);
    new AccessLineWriter(quiet.logger).write('warn', fields[1]!, fields[1]!.durationMs);
    expect(quiet.lines.map((l) => JSON.parse(l).requestId)).toEqual(['r-2']);
  });

  it('spells durationMs as the rounded number prints, for whole, fractional and trailing-zero values', () => {
    const values = [0, 0.0004, 0.0005, 0.001, 0.01, 0.1, 0.5, 1, 1.2, 1.23, 1.234, 1.2345, 9.9995, 10, 59.999, 100.05, 123456.789, 3_600_000.001];
    for (let k = 0; k < 20_000; k++) values.push((k * 7919) / 1000, k / 3, Math.sqrt(k) * 17.3);
    for (const ms of values) expect([ms, msText(ms)]).toEqual([ms, `${Math.round(ms * 1000) / 1000}`]);
  });
});
