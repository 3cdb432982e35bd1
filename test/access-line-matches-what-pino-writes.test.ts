import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AccessLineWriter, msText, type AccessFields } from '../src/observability/access-line.js';
import { createStreamLogger } from '../src/observability/logger.js';
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
