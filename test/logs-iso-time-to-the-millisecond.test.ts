import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStreamLogger } from '../src/observability/logger.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('log lines carry the ISO time to the millisecond', () => {
  it('is exactly what toISOString says, across millisecond, second, minute and day boundaries', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const logger = createStreamLogger('info', new Writable({ write(c: Buffer, _e, cb) { lines.push(c.toString()); cb(); } }));
    const instants = [
      '2026-12-02T20:07:36.005Z', '2026-12-02T20:07:36.005Z', '2026-12-02T20:07:36.050Z', '2026-12-02T20:07:36.999Z',
      '2026-12-02T20:07:37.000Z', '2026-12-02T20:07:59.999Z', '2026-12-02T20:08:00.010Z', '2026-12-31T23:59:59.999Z',
      '2027-01-01T00:00:00.000Z', '2026-12-02T20:07:36.005Z', // the clock may also go back
    ];
    for (const t of instants) {
      vi.setSystemTime(new Date(t));
      logger.info({ msg: 'tick' });
    }
    expect(lines.map((l) => (JSON.parse(l) as { time: string }).time)).toEqual(instants);
  });
});
